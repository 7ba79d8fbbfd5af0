"""What the demo customers and advisors say, in French and in English.

Each topic is one kind of matter a customer of an energy and telecom retailer raises:
the first message, the advisor's answer, a follow-up, the closing answer and the living
summary of the case. Placeholders are filled by `suivi.demo.data`:
{greeting} how the advisor addresses the customer, {advisor} the advisor's first name,
{amount} a sum in euros or pounds, {date} a day, {ref} a reference, {city} a town,
{device} a device, {offer} an offer's name.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    key: str
    subject: str
    opening: str
    reply: str
    follow_up: str
    closing: str
    summary: str


FR_TOPICS: tuple[Topic, ...] = (
    Topic(
        "billing",
        "Facture anormalement élevée",
        "Bonjour, ma dernière facture s'élève à {amount}, presque le double du mois "
        "dernier. Je n'ai rien changé à ma consommation. Pouvez-vous vérifier ?",
        "Bonjour {greeting}, merci pour votre message. Je vois un relevé estimé le {date} "
        "au lieu d'un relevé réel. Pouvez-vous m'envoyer une photo de votre compteur ? "
        "{advisor}",
        "Voici la photo du compteur prise ce matin. L'index est bien plus bas que l'estimation.",
        "Merci {greeting}. J'ai corrigé l'index : une facture rectificative de {amount} "
        "vous sera envoyée et le trop-perçu remboursé sous 14 jours. {advisor}",
        "Facture du {date} basée sur un index estimé. Photo du compteur reçue, index "
        "corrigé, avoir émis, remboursement promis sous 14 jours.",
    ),
    Topic(
        "billing",
        "Double prélèvement",
        "Bonjour, j'ai été prélevé deux fois ce mois-ci ({amount} chaque fois). "
        "Mon compte est à découvert à cause de ça.",
        "Bonjour {greeting}, vous avez raison, le second prélèvement est une erreur de "
        "notre part. Je lance le remboursement immédiatement. {advisor}",
        "Merci. Pouvez-vous aussi prendre en charge les frais bancaires de 8 € ?",
        "C'est fait : le remboursement et les 8 € de frais apparaîtront sur votre compte "
        "d'ici 3 jours ouvrés. Toutes nos excuses. {advisor}",
        "Prélèvement en double le {date}. Remboursement lancé, frais bancaires pris en "
        "charge à titre commercial.",
    ),
    Topic(
        "payment",
        "Demande d'échéancier",
        "Bonjour, je traverse une période difficile et je ne pourrai pas payer la "
        "facture de {amount} en une seule fois. Est-il possible d'étaler ?",
        "Bonjour {greeting}, bien sûr. Je peux vous proposer un paiement en 3 ou 6 fois "
        "sans frais. Quelle formule vous conviendrait ? {advisor}",
        "En 6 fois, ce serait parfait pour moi.",
        "C'est noté : 6 mensualités à partir du {date}. Vous recevrez l'échéancier par "
        "courrier. N'hésitez pas à me recontacter. {advisor}",
        "Difficultés de paiement. Échéancier en 6 fois sans frais accordé à partir du "
        "{date}. Suivre le premier prélèvement.",
    ),
    Topic(
        "moving",
        "Déménagement à {city}",
        "Bonjour, je déménage à {city} le {date}. Je voudrais garder mon contrat "
        "d'électricité et ma box. Comment faire ?",
        "Bonjour {greeting}, félicitations pour votre déménagement ! Il me faut votre "
        "nouvelle adresse et les index de l'ancien logement le jour du départ. {advisor}",
        "La nouvelle adresse est 12 rue des Lilas, {city}. Je vous enverrai les index le jour J.",
        "Tout est prêt : mise en service le {date} à {city}, et le technicien pour la "
        "box passera le lendemain matin. {advisor}",
        "Déménagement à {city} le {date}. Contrat transféré, intervention box planifiée "
        "le lendemain. Index de sortie à relever.",
    ),
    Topic(
        "outage",
        "Coupure internet depuis hier",
        "Bonjour, plus d'internet ni de téléphone fixe depuis hier soir. Le voyant de "
        "la box clignote en rouge. Je télétravaille, c'est urgent.",
        "Bonjour {greeting}, un incident touche votre secteur depuis hier 21 h. Nos "
        "équipes interviennent ; retour prévu demain midi. Je vous rappelle dès que "
        "c'est rétabli. {advisor}",
        "Toujours rien ce matin. Y a-t-il une compensation prévue ?",
        "Le service est rétabli depuis 11 h 40. Je vous ai accordé un geste commercial "
        "de {amount} sur la prochaine facture. {advisor}",
        "Panne secteur du {date} (incident réseau). Rétabli. Geste commercial de "
        "{amount} accordé ; client en télétravail, prévenir en priorité.",
    ),
    Topic(
        "outage",
        "Coupure de courant",
        "Bonjour, nous n'avons plus d'électricité depuis ce matin alors que les voisins "
        "en ont. Le disjoncteur est enclenché.",
        "Bonjour {greeting}, je vois que votre compteur ne communique plus. J'ai "
        "demandé une intervention du distributeur en urgence pour aujourd'hui. {advisor}",
        "Le technicien est passé, il a changé un fusible. Tout remarche, merci.",
        "Parfait, merci de nous avoir tenus informés. Je clôture le dossier ; n'hésitez "
        "pas si cela se reproduit. {advisor}",
        "Coupure isolée le {date}, compteur muet. Intervention distributeur le jour "
        "même, fusible remplacé.",
    ),
    Topic(
        "contract",
        "Changement d'offre",
        "Bonjour, j'ai vu l'offre {offer} sur votre site. Est-ce plus intéressant que "
        "mon contrat actuel ?",
        "Bonjour {greeting}, d'après votre consommation, l'offre {offer} vous ferait "
        "économiser environ {amount} par an. Voulez-vous que je fasse le changement ? "
        "{advisor}",
        "Oui, allez-y, à condition qu'il n'y ait pas de frais.",
        "Aucun frais : votre contrat passe à l'offre {offer} le {date}. La confirmation "
        "vous arrive par e-mail. {advisor}",
        "Passage à l'offre {offer} au {date}, économie estimée {amount} par an. Sans "
        "frais, sans engagement.",
    ),
    Topic(
        "contract",
        "Résiliation",
        "Bonjour, je souhaite résilier mon abonnement mobile, j'ai trouvé moins cher ailleurs.",
        "Bonjour {greeting}, c'est dommage ! Avant de résilier, je peux vous proposer "
        "l'offre {offer} à {amount} par mois. Cela vous intéresserait-il ? {advisor}",
        "Non merci, ma décision est prise. Mon numéro sera porté chez le nouvel opérateur.",
        "C'est entendu : la portabilité résiliera votre ligne automatiquement, sans "
        "frais. Merci pour ces années avec nous. {advisor}",
        "Départ vers un concurrent pour le prix. Offre de rétention refusée. Résiliation "
        "par portabilité, rien à faire de notre côté.",
    ),
    Topic(
        "device",
        "Box en panne",
        "Bonjour, ma box redémarre toute seule plusieurs fois par jour depuis une "
        "semaine. J'ai déjà essayé de la débrancher.",
        "Bonjour {greeting}, merci pour ces essais. Le journal de la box montre une "
        "surchauffe. Je vous propose un échange : une nouvelle box part demain. "
        "{advisor}",
        "Bien reçue, installée. Que dois-je faire de l'ancienne ?",
        "Il suffit de la déposer dans un point relais avec l'étiquette fournie, sous "
        "30 jours. Bonne soirée ! {advisor}",
        "Box {device} en surchauffe, échangée. Retour de l'ancienne box à surveiller (30 jours).",
    ),
    Topic(
        "device",
        "Réparation téléphone",
        "Bonjour, l'écran de mon {device} ne répond plus au toucher par endroits. Il "
        "est sous garantie.",
        "Bonjour {greeting}, je vous propose un rendez-vous en boutique à {city} pour "
        "un diagnostic. Le téléphone pourra rester en observation 48 h. {advisor}",
        "Je suis passé en boutique. Quand aurai-je des nouvelles ?",
        "Votre {device} est réparé (écran remplacé sous garantie). Vous pouvez le "
        "récupérer en boutique dès demain 10 h. {advisor}",
        "{device} sous garantie, écran défectueux. Diagnostic en boutique à {city}, "
        "réparation sous garantie, prêt à être récupéré.",
    ),
    Topic(
        "installation",
        "Rendez-vous d'installation fibre",
        "Bonjour, le technicien devait venir installer la fibre aujourd'hui entre 8 h "
        "et 12 h et personne n'est venu. J'ai posé une demi-journée.",
        "Bonjour {greeting}, je suis désolé. Le sous-traitant a annulé sans vous "
        "prévenir. Je vous propose le {date} à 8 h, en premier rendez-vous. {advisor}",
        "D'accord pour le {date}, mais je veux être sûr que quelqu'un viendra.",
        "Le rendez-vous est confirmé, le technicien vous appellera la veille. Je vous "
        "rappellerai moi-même après l'intervention. {advisor}",
        "Installation fibre manquée (sous-traitant). Nouveau rendez-vous le {date} 8 h ; "
        "rappel promis après intervention.",
    ),
    Topic(
        "meter",
        "Relevé de compteur",
        "Bonjour, je n'arrive pas à transmettre mon relevé sur le site, la page affiche "
        "une erreur. Mon index est 45 210.",
        "Bonjour {greeting}, merci, j'ai saisi votre index à votre place. Le problème du "
        "site est connu et sera corrigé cette semaine. {advisor}",
        "Merci, et faut-il le refaire le mois prochain ?",
        "Non : votre compteur communicant transmettra désormais l'index seul. {advisor}",
        "Index saisi par le conseiller (site en erreur). Compteur communicant activé.",
    ),
    Topic(
        "roaming",
        "Hors forfait à l'étranger",
        "Bonjour, je reçois une facture de {amount} de hors forfait après une semaine "
        "au Maroc. Personne ne m'a prévenu.",
        "Bonjour {greeting}, le Maroc n'est pas inclus dans votre forfait. Les SMS "
        "d'alerte ont bien été envoyés, mais je comprends la surprise. {advisor}",
        "Je n'ai rien reçu. Pouvez-vous faire un geste ?",
        "Exceptionnellement, j'annule la moitié des frais, soit {amount}. J'ai aussi "
        "activé le blocage hors forfait à l'étranger. {advisor}",
        "Hors forfait roaming (Maroc). Moitié des frais annulée, blocage activé pour "
        "éviter que cela se reproduise.",
    ),
    Topic(
        "solar",
        "Panneaux solaires et revente",
        "Bonjour, j'ai fait poser des panneaux solaires. Comment vous revendre le "
        "surplus de production ?",
        "Bonjour {greeting}, il faut un contrat d'achat de surplus. Je vous envoie le "
        "formulaire et l'attestation de l'installateur à joindre. {advisor}",
        "Formulaire rempli et renvoyé avec l'attestation.",
        "Tout est en ordre : le contrat de revente démarre le {date}. Les versements "
        "sont annuels. {advisor}",
        "Installation solaire. Contrat de revente du surplus au {date}, versements annuels.",
    ),
    Topic(
        "complaint",
        "Réclamation : conseiller injoignable",
        "Bonjour, j'ai appelé quatre fois cette semaine, 25 minutes d'attente à chaque "
        "fois, et on m'a raccroché au nez. C'est inadmissible.",
        "Bonjour {greeting}, je suis vraiment désolé de cette attente. Je suis désormais "
        "votre conseiller dédié : vous pouvez me joindre directement. Quel est le sujet "
        "de vos appels ? {advisor}",
        "Il s'agit de ma facture de régularisation de {amount} que je ne comprends pas.",
        "Je vous ai rappelé comme convenu et nous avons repris la facture ligne à ligne. "
        "Un avoir de {amount} a été émis. {advisor}",
        "Client irrité par l'attente au téléphone. Conseiller dédié attribué. Facture de "
        "régularisation expliquée, avoir émis.",
    ),
    Topic(
        "account",
        "Changement de coordonnées bancaires",
        "Bonjour, j'ai changé de banque. Voici mon nouveau RIB pour les prélèvements.",
        "Bonjour {greeting}, merci. Pour votre sécurité, je dois confirmer ce changement "
        "par téléphone. Quand puis-je vous appeler ? {advisor}",
        "Demain entre 12 h et 14 h, sur mon portable.",
        "Appel fait, changement confirmé : les prélèvements passent sur le nouveau "
        "compte dès le {date}. {advisor}",
        "Nouveau RIB, confirmé par téléphone (sécurité). Effectif au {date}.",
    ),
    Topic(
        "eligibility",
        "Éligibilité à la fibre",
        "Bonjour, mon immeuble vient d'être raccordé à la fibre, paraît-il. Suis-je éligible ?",
        "Bonjour {greeting}, oui, votre logement est éligible depuis le {date}. Je peux "
        "vous proposer l'offre {offer}. {advisor}",
        "Très bien, je prends.",
        "Commande passée : le technicien vous contactera sous 5 jours pour fixer le "
        "rendez-vous. {advisor}",
        "Éligible fibre depuis le {date}. Offre {offer} commandée ; rendez-vous "
        "technicien sous 5 jours.",
    ),
    Topic(
        "estimate",
        "Estimation de consommation",
        "Bonjour, mes mensualités ont augmenté de {amount}. Sur quelle base ?",
        "Bonjour {greeting}, elles sont recalculées sur vos 12 derniers mois, plus "
        "froids que l'an dernier. Je peux les ajuster si vous le souhaitez. {advisor}",
        "Oui, baissez-les un peu, j'ai changé ma chaudière.",
        "Mensualités ajustées à partir du {date} en tenant compte de la nouvelle "
        "chaudière. {advisor}",
        "Hausse des mensualités expliquée (hiver froid). Ajustées au {date} : nouvelle "
        "chaudière plus sobre.",
    ),
    Topic(
        "sim",
        "Carte SIM perdue",
        "Bonjour, j'ai perdu mon téléphone avec ma carte SIM. Pouvez-vous bloquer la ligne ?",
        "Bonjour {greeting}, la ligne est suspendue. Une nouvelle SIM vous est envoyée, "
        "ou disponible tout de suite en boutique à {city}. {advisor}",
        "Je passerai en boutique demain.",
        "La nouvelle SIM est activée, votre ligne est rétablie avec le même numéro. {advisor}",
        "Perte téléphone. Ligne suspendue puis nouvelle SIM activée en boutique à {city}.",
    ),
    Topic(
        "cheque_energie",
        "Chèque énergie",
        "Bonjour, j'ai reçu un chèque énergie. Comment l'utiliser pour payer ma facture ?",
        "Bonjour {greeting}, vous pouvez nous l'envoyer par courrier ou le saisir en "
        "ligne. Je peux aussi l'enregistrer pour les années suivantes. {advisor}",
        "Je vous l'envoie par courrier cette semaine.",
        "Chèque énergie de {amount} bien reçu et déduit de votre facture. Il sera "
        "appliqué automatiquement l'an prochain. {advisor}",
        "Chèque énergie reçu par courrier, {amount} déduits. Pré-affectation activée.",
    ),
)


EN_TOPICS: tuple[Topic, ...] = (
    Topic(
        "billing",
        "Unusually high bill",
        "Hello, my latest bill is {amount}, nearly twice last month's. Nothing has "
        "changed at home. Could you look into it?",
        "Dear {greeting}, thank you for getting in touch. The bill used an estimated "
        "reading on {date}. Could you send me a photo of your meter? {advisor}",
        "Here is the meter photo from this morning. The reading is much lower than the estimate.",
        "Thank you, {greeting}. I have corrected the reading: a revised bill of {amount} "
        "is on its way and the overpayment will be refunded within 14 days. {advisor}",
        "Bill of {date} based on an estimate. Meter photo received, reading corrected, "
        "credit note issued, refund promised within 14 days.",
    ),
    Topic(
        "billing",
        "Charged twice",
        "Hi, I have been charged twice this month ({amount} each time) and my account "
        "is now overdrawn.",
        "Dear {greeting}, you are right, the second payment was our mistake. I am "
        "refunding it now. {advisor}",
        "Thanks. Will you also cover the £8 overdraft fee?",
        "Done: the refund and the £8 fee will reach your account within 3 working days. "
        "Our apologies. {advisor}",
        "Duplicate direct debit on {date}. Refunded, overdraft fee covered as a goodwill gesture.",
    ),
    Topic(
        "payment",
        "Payment plan request",
        "Hello, things are difficult at the moment and I cannot pay the {amount} bill "
        "in one go. Can I spread it?",
        "Dear {greeting}, of course. I can offer 3 or 6 monthly instalments at no extra "
        "cost. Which would suit you? {advisor}",
        "Six instalments would be perfect.",
        "All set: 6 instalments starting on {date}. The schedule is in the post. Do get "
        "back to me if anything changes. {advisor}",
        "Payment difficulties. 6-instalment plan agreed from {date}. Check the first "
        "payment goes through.",
    ),
    Topic(
        "moving",
        "Moving to {city}",
        "Hello, I am moving to {city} on {date} and would like to keep my energy "
        "contract and broadband. What do I need to do?",
        "Dear {greeting}, congratulations on the move! I need your new address and the "
        "meter readings at the old place on the day you leave. {advisor}",
        "The new address is 4 Elm Grove, {city}. I will send the readings on the day.",
        "Everything is ready: supply starts on {date} in {city} and the engineer will "
        "connect your broadband the next morning. {advisor}",
        "Moving to {city} on {date}. Contract moved, broadband visit booked the next "
        "day. Final readings to collect.",
    ),
    Topic(
        "outage",
        "Broadband down since yesterday",
        "Hi, no internet or landline since last night. The router light is flashing "
        "red. I work from home, so this is urgent.",
        "Dear {greeting}, there is a fault in your area since 9 pm yesterday. Engineers "
        "are on it and expect a fix by noon tomorrow. I will call you as soon as it is "
        "back. {advisor}",
        "Still nothing this morning. Will there be any compensation?",
        "Service has been back since 11:40. I have applied a {amount} credit to your "
        "next bill. {advisor}",
        "Area outage on {date} (network fault). Restored. {amount} credit applied; "
        "works from home, keep informed first.",
    ),
    Topic(
        "outage",
        "Power cut",
        "Hello, we have had no electricity since this morning but the neighbours do. "
        "The trip switch is on.",
        "Dear {greeting}, your meter has stopped reporting. I have asked the network "
        "operator for an emergency visit today. {advisor}",
        "The engineer came and replaced a fuse. All working now, thank you.",
        "Great, thanks for letting us know. I am closing the case; do get in touch if "
        "it happens again. {advisor}",
        "Isolated power cut on {date}, meter silent. Same-day network visit, fuse replaced.",
    ),
    Topic(
        "contract",
        "Switching tariff",
        "Hello, I saw the {offer} tariff on your website. Would it be cheaper than my "
        "current plan?",
        "Dear {greeting}, based on your usage, {offer} would save you about {amount} a "
        "year. Shall I switch you over? {advisor}",
        "Yes please, as long as there is no exit fee.",
        "No fee at all: you move to {offer} on {date}. A confirmation e-mail is on its "
        "way. {advisor}",
        "Moved to {offer} on {date}, estimated saving {amount} a year. No fee, no commitment.",
    ),
    Topic(
        "contract",
        "Cancelling my mobile plan",
        "Hi, I would like to cancel my mobile plan; I found a cheaper one elsewhere.",
        "Dear {greeting}, sorry to hear that! Before you go, I can offer you {offer} at "
        "{amount} a month. Would that interest you? {advisor}",
        "No thanks, my mind is made up. I am porting my number.",
        "Understood: the number transfer will close your line automatically, at no "
        "cost. Thank you for your years with us. {advisor}",
        "Leaving for a competitor on price. Retention offer declined. Closed by number "
        "port, nothing left to do.",
    ),
    Topic(
        "device",
        "Router keeps restarting",
        "Hello, my router has been restarting on its own several times a day for a "
        "week. I have already tried unplugging it.",
        "Dear {greeting}, thanks for trying that. The router's log shows overheating. "
        "A replacement router ships tomorrow. {advisor}",
        "Received and installed. What should I do with the old one?",
        "Just drop it at a parcel point with the prepaid label within 30 days. Have a "
        "good evening! {advisor}",
        "{device} overheating, replaced. Watch for the old unit's return (30 days).",
    ),
    Topic(
        "device",
        "Phone repair",
        "Hello, parts of my {device} screen no longer respond to touch. It is under warranty.",
        "Dear {greeting}, I can book you into our {city} shop for a diagnosis. The "
        "phone may stay with us for 48 hours. {advisor}",
        "I dropped it at the shop. When will I hear back?",
        "Your {device} is repaired (screen replaced under warranty) and ready to collect "
        "from 10 am tomorrow. {advisor}",
        "{device} under warranty, faulty screen. Diagnosed in the {city} shop, repaired "
        "under warranty, ready to collect.",
    ),
    Topic(
        "installation",
        "Missed fibre installation",
        "Hello, the engineer was due between 8 and 12 today to install fibre and nobody "
        "came. I took the morning off work.",
        "Dear {greeting}, I am very sorry. The contractor cancelled without telling "
        "you. I can offer {date} at 8 am, first slot of the day. {advisor}",
        "Fine for {date}, but I need to be sure someone turns up.",
        "The appointment is confirmed and the engineer will call the day before. I will "
        "call you myself afterwards. {advisor}",
        "Missed fibre install (contractor). Rebooked {date} 8 am; follow-up call promised.",
    ),
    Topic(
        "meter",
        "Meter reading",
        "Hello, I cannot submit my meter reading on the website, the page shows an "
        "error. My reading is 45210.",
        "Dear {greeting}, thanks, I have entered the reading for you. The website issue "
        "is known and will be fixed this week. {advisor}",
        "Thanks, do I need to do it again next month?",
        "No: your smart meter will now send readings on its own. {advisor}",
        "Reading entered by advisor (website error). Smart meter readings enabled.",
    ),
    Topic(
        "roaming",
        "Roaming charges",
        "Hello, I have a {amount} bill for roaming after a week in Morocco. Nobody warned me.",
        "Dear {greeting}, Morocco is not included in your plan. Warning texts were "
        "sent, but I understand this was a shock. {advisor}",
        "I never got them. Can you do anything?",
        "As an exception I have cancelled half of the charges, {amount}. I have also "
        "turned on the roaming spend cap. {advisor}",
        "Roaming charges (Morocco). Half refunded, spend cap enabled to avoid a repeat.",
    ),
    Topic(
        "solar",
        "Solar panels export payments",
        "Hello, I have had solar panels fitted. How do I get paid for what I export?",
        "Dear {greeting}, you need an export tariff agreement. I am sending you the "
        "form and you will need the installer's certificate. {advisor}",
        "Form completed and sent with the certificate.",
        "All in order: your export tariff starts on {date}. Payments are quarterly. {advisor}",
        "Solar installed. Export tariff from {date}, quarterly payments.",
    ),
    Topic(
        "complaint",
        "Complaint: could not get through",
        "Hello, I rang four times this week, waited 25 minutes each time and got cut "
        "off. This is unacceptable.",
        "Dear {greeting}, I am truly sorry about the wait. I am now your dedicated "
        "adviser and you can reach me directly. What were you calling about? {advisor}",
        "It is about my {amount} catch-up bill, which I do not understand.",
        "I called you back as agreed and we went through the bill line by line. A "
        "credit of {amount} has been issued. {advisor}",
        "Annoyed by phone waits. Dedicated adviser assigned. Catch-up bill explained, "
        "credit issued.",
    ),
    Topic(
        "account",
        "New bank details",
        "Hello, I have changed banks. Here are my new details for the direct debit.",
        "Dear {greeting}, thank you. For your security I need to confirm this by phone. "
        "When can I call you? {advisor}",
        "Tomorrow between 12 and 2, on my mobile.",
        "Called and confirmed: the direct debit moves to the new account from {date}. {advisor}",
        "New bank details, confirmed by phone (security). Effective {date}.",
    ),
    Topic(
        "eligibility",
        "Is fibre available?",
        "Hello, I hear my building has just been connected to fibre. Can I get it?",
        "Dear {greeting}, yes, your home has been eligible since {date}. I can offer "
        "you {offer}. {advisor}",
        "Great, I will take it.",
        "Order placed: the engineer will contact you within 5 days to book a visit. {advisor}",
        "Fibre available since {date}. {offer} ordered; engineer to call within 5 days.",
    ),
    Topic(
        "estimate",
        "Direct debit increase",
        "Hello, my monthly payments went up by {amount}. What is that based on?",
        "Dear {greeting}, they are recalculated from your last 12 months, which were "
        "colder than the year before. I can adjust them if you like. {advisor}",
        "Yes, please lower them a little; I have a new boiler.",
        "Payments adjusted from {date} to reflect the new boiler. {advisor}",
        "Payment increase explained (cold winter). Adjusted from {date}: more efficient boiler.",
    ),
    Topic(
        "sim",
        "Lost SIM card",
        "Hello, I lost my phone with the SIM card in it. Can you block the line?",
        "Dear {greeting}, the line is suspended. A new SIM is in the post, or you can "
        "collect one now at our {city} shop. {advisor}",
        "I will go to the shop tomorrow.",
        "Your new SIM is active and your line is back with the same number. {advisor}",
        "Lost phone. Line suspended, then new SIM activated in the {city} shop.",
    ),
    Topic(
        "warm_home",
        "Warm Home Discount",
        "Hello, I think I qualify for the Warm Home Discount. How do I apply?",
        "Dear {greeting}, I can check your eligibility now and apply on your behalf. "
        "Could you confirm you receive Pension Credit? {advisor}",
        "Yes, I receive Pension Credit.",
        "Applied: a {amount} discount will appear on your winter bill. {advisor}",
        "Warm Home Discount applied ({amount}); Pension Credit confirmed.",
    ),
)

# Short internal notes an advisor leaves on a case; never shown to the customer.
FR_NOTES = (
    "Client très aimable, préfère être appelé en fin de journée.",
    "Vérifié avec la facturation : l'avoir est bien passé.",
    "Attention, client déjà mécontent l'an dernier pour le même sujet.",
    "Dossier à surveiller jusqu'au prochain prélèvement.",
    "Appel de courtoisie fait, rien à signaler.",
    "Le distributeur confirme l'intervention par écrit.",
)
EN_NOTES = (
    "Very polite customer; prefers a call late in the day.",
    "Checked with billing: the credit note has gone through.",
    "Careful: customer was already unhappy about this last year.",
    "Keep an eye on this until the next direct debit.",
    "Courtesy call made, nothing to report.",
    "Network operator confirmed the visit in writing.",
)

# What the receiving advisor must know first when a case changes hands.
FR_HANDOFF_NOTES = (
    "Je pars en congés : la cliente attend le remboursement promis sous 14 jours, "
    "rien d'autre à lui redemander.",
    "Sujet technique : le diagnostic est fait, il reste à planifier l'intervention. "
    "Le client préfère le téléphone.",
    "Client professionnel : tout passe par la comptable, ses coordonnées sont dans la fiche.",
    "Déjà trois échanges, le client est agacé. Ne pas lui redemander ses index, ils "
    "sont dans l'historique.",
)
EN_HANDOFF_NOTES = (
    "I am on leave: the customer is waiting for the refund promised within 14 days; "
    "nothing else to ask them.",
    "Technical matter: diagnosis done, the engineer visit still needs booking. Prefers phone.",
    "Business customer: everything goes through their accountant, details are on file.",
    "Three exchanges already and the customer is annoyed. Do not ask for readings "
    "again, they are in the history.",
)

FR_OFFERS = ("Zen Fixe", "Heures Creuses Plus", "Fibre Essentielle", "Mobile 100 Go", "Vert+")
EN_OFFERS = ("Fixed Saver", "Green Flex", "Fibre 500", "SIM Only 60GB", "Night Saver")
FR_CITIES = ("Lyon", "Nantes", "Bordeaux", "Lille", "Rennes", "Montpellier", "Tours", "Dijon")
EN_CITIES = ("Manchester", "Bristol", "Leeds", "Glasgow", "Cardiff", "Brighton", "York")
DEVICES = ("Pixel 8", "iPhone 13", "Galaxy S23", "Box Fibre V6", "Routeur R2", "Fairphone 5")

FR_MISSED_CALL = "Appel manqué : le client a raccroché après {minutes} min d'attente."
EN_MISSED_CALL = "Missed call: the customer hung up after {minutes} min in the queue."

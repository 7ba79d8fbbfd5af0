"""The demo knowledge base: a dozen answers, procedures and offers of an energy and
telecom retailer, each in French and in English, live on every channel. To show the
editors' tools, one article waits for the next publication window, one was fixed
urgently, and one has no English translation yet. Idempotent."""

from dataclasses import dataclass

from django.db import transaction

from suivi.knowledge import services
from suivi.knowledge.models import Article
from suivi.people.models import Advisor

ANSWER, PROCEDURE, OFFER = Article.Kind.ANSWER, Article.Kind.PROCEDURE, Article.Kind.OFFER


@dataclass(frozen=True)
class Entry:
    topic: str
    kind: str
    fr: tuple[str, str]  # title, body (blank line = new paragraph)
    en: tuple[str, str] | None


ENTRIES: tuple[Entry, ...] = (
    Entry(
        "resiliation",
        PROCEDURE,
        (
            "Résilier votre contrat",
            "Vous pouvez résilier votre contrat d'électricité, de gaz ou de box à tout moment, "
            "sans frais ni préavis, depuis votre espace client (rubrique « Mon contrat », puis "
            "« Résilier ») ou en nous écrivant.\n\n"
            "En cas de déménagement, indiquez la date de départ : nous relevons le compteur ce "
            "jour-là. Si vous changez de fournisseur, la résiliation est automatique : vous "
            "n'avez rien à faire.\n\n"
            "La facture de résiliation arrive sous 4 semaines ; un éventuel trop-perçu est "
            "remboursé sous 14 jours.",
        ),
        (
            "Cancelling your contract",
            "You can cancel your electricity, gas or broadband contract at any time, with no "
            'fee and no notice period, from your online account ("My contract", then '
            '"Cancel") or by writing to us.\n\n'
            "If you are moving home, give us your moving-out date: we read the meter that day. "
            "If you switch to another supplier, your contract ends automatically: there is "
            "nothing to do.\n\n"
            "Your final bill arrives within 4 weeks; any overpayment is refunded within "
            "14 days.",
        ),
    ),
    Entry(
        "livraison",
        ANSWER,
        (
            "Délais de livraison de la box et des équipements",
            "La box internet et les équipements commandés en ligne sont livrés en 3 à 5 jours "
            "ouvrés en France métropolitaine, en point relais ou à domicile.\n\n"
            "Vous recevez un e-mail avec le numéro de suivi dès l'expédition. Passé 7 jours "
            "ouvrés sans livraison, contactez-nous : nous ouvrons une enquête auprès du "
            "transporteur et renvoyons le colis si besoin, sans frais.",
        ),
        (
            "Delivery times for your box and equipment",
            "Broadband boxes and equipment ordered online are delivered within 3 to 5 working "
            "days, to a pick-up point or to your home.\n\n"
            "You receive an e-mail with the tracking number as soon as the parcel ships. If "
            "nothing has arrived after 7 working days, contact us: we open an enquiry with the "
            "carrier and send a new parcel if needed, free of charge.",
        ),
    ),
    Entry(
        "factures",
        ANSWER,
        (
            "Comprendre votre facture",
            "Votre facture indique l'abonnement (part fixe), la consommation (part variable, "
            "selon l'index relevé ou estimé), les taxes et contributions, puis le solde à payer "
            "ou à rembourser.\n\n"
            "Une mention « index estimé » signifie que le compteur n'a pas pu être relevé. "
            "Transmettez votre index réel depuis votre espace client : une facture "
            "rectificative est émise et le trop-perçu remboursé sous 14 jours.",
        ),
        (
            "Understanding your bill",
            "Your bill shows the standing charge (fixed part), your consumption (variable part, "
            "from a read or an estimated meter reading), taxes and levies, then the balance to "
            "pay or to be refunded.\n\n"
            '"Estimated reading" means the meter could not be read. Send us your actual '
            "reading from your online account: a corrected bill is issued and any overpayment "
            "refunded within 14 days.",
        ),
    ),
    Entry(
        "garantie",
        ANSWER,
        (
            "Garantie de vos équipements",
            "Les équipements que nous vendons (box, décodeur, thermostat connecté) bénéficient "
            "de la garantie légale de conformité de 2 ans, et de 3 ans pour les équipements "
            "loués pendant toute la durée de la location.\n\n"
            "En cas de panne, prenez rendez-vous en agence ou demandez un échange par "
            "courrier : l'appareil de remplacement est envoyé sous 48 heures, avec une "
            "étiquette de retour prépayée.",
        ),
        (
            "Warranty on your equipment",
            "Equipment we sell (broadband box, TV box, smart thermostat) has a 2-year legal "
            "guarantee of conformity; rented equipment is covered for as long as you rent it.\n\n"
            "If it breaks down, book an appointment in a shop or ask for an exchange by post: "
            "the replacement is sent within 48 hours, with a prepaid return label.",
        ),
    ),
    Entry(
        "retours",
        PROCEDURE,
        (
            "Retourner un équipement et être remboursé",
            "Vous disposez de 14 jours après la réception pour changer d'avis sur un achat en "
            "ligne.\n\n"
            "1. Demandez le retour depuis votre espace client (« Mes commandes »).\n"
            "2. Déposez le colis avec l'étiquette prépayée en point relais.\n"
            "3. Le remboursement est fait sur votre moyen de paiement sous 14 jours après "
            "réception du colis.",
        ),
        (
            "Returning equipment for a refund",
            "You have 14 days from delivery to change your mind about an online purchase.\n\n"
            '1. Ask for the return from your online account ("My orders").\n'
            "2. Drop the parcel at a pick-up point with the prepaid label.\n"
            "3. We refund your payment method within 14 days of receiving the parcel.",
        ),
    ),
    Entry(
        "demenagement",
        PROCEDURE,
        (
            "Déménager sans coupure",
            "Prévenez-nous au moins 7 jours avant votre déménagement avec vos deux adresses et "
            "la date : nous résilions l'ancien logement et ouvrons le nouveau le même jour, "
            "sans frais de mise en service.\n\n"
            "Le jour J, relevez les index des deux compteurs et envoyez-les depuis votre "
            "espace client. Votre box internet vous suit : le transfert de ligne prend en "
            "général 5 jours ouvrés.",
        ),
        (
            "Moving home without a break in supply",
            "Tell us at least 7 days before you move, with both addresses and the date: we "
            "close the old home and open the new one on the same day, with no connection fee.\n\n"
            "On moving day, read both meters and send the readings from your online account. "
            "Your broadband box moves with you: the line transfer usually takes 5 working days.",
        ),
    ),
    Entry(
        "paiement",
        ANSWER,
        (
            "Moyens de paiement et échéancier",
            "Vous pouvez payer par prélèvement automatique (à la date de votre choix entre le "
            "1er et le 28 du mois), par carte bancaire, par virement ou en espèces dans un "
            "bureau de poste avec le code de votre facture.\n\n"
            "En cas de difficulté, demandez un échéancier : nous étalons le montant dû sur "
            "3 à 12 mois, sans frais.",
        ),
        (
            "Ways to pay and payment plans",
            "You can pay by direct debit (on the day of your choice between the 1st and the "
            "28th), by card, by bank transfer, or in cash at a post office with the code on "
            "your bill.\n\n"
            "If you are struggling, ask for a payment plan: we spread what you owe over 3 to "
            "12 months, free of charge.",
        ),
    ),
    Entry(
        "offre-fibre",
        OFFER,
        (
            "Offre Fibre Essentielle : prix",
            "Fibre Essentielle : internet jusqu'à 1 Gbit/s, téléphone fixe illimité vers les "
            "fixes et mobiles en France, box incluse.\n\n"
            "29,99 € par mois, sans engagement. Frais de mise en service : 49 €, offerts pour "
            "toute souscription en ligne.",
        ),
        (
            "Essential Fibre offer: price",
            "Essential Fibre: broadband up to 1 Gbit/s, unlimited landline calls to landlines "
            "and mobiles in France, box included.\n\n"
            "€29.99 a month, no minimum term. Connection fee: €49, waived when you sign up "
            "online.",
        ),
    ),
    Entry(
        "offre-electricite",
        OFFER,
        (
            "Offre Électricité Heures Creuses : prix",
            "Électricité Heures Creuses : 100 % d'origine renouvelable, prix du kWh bloqué "
            "pendant 2 ans.\n\n"
            "Heures pleines : 0,2516 € TTC le kWh. Heures creuses : 0,1828 € TTC le kWh. "
            "Abonnement 6 kVA : 15,65 € TTC par mois.",
        ),
        (
            "Off-Peak Electricity offer: price",
            "Off-Peak Electricity: 100% renewable, price per kWh fixed for 2 years.\n\n"
            "Peak hours: €0.2516 per kWh incl. VAT. Off-peak hours: €0.1828 per kWh incl. VAT. "
            "6 kVA standing charge: €15.65 a month incl. VAT.",
        ),
    ),
    Entry(
        "rendez-vous",
        PROCEDURE,
        (
            "Prendre rendez-vous en agence",
            "Plutôt que d'attendre, réservez un créneau en agence, par téléphone ou en "
            "visio depuis la page « Prendre rendez-vous ». Vous recevez une confirmation et un "
            "lien pour déplacer ou annuler le rendez-vous.\n\n"
            "Le jour venu, présentez-vous à l'accueil ou utilisez le lien d'arrivée : nous "
            "vous indiquons votre place dans la file d'attente.",
        ),
        (
            "Booking an appointment in a shop",
            "Rather than waiting, book a slot in a shop, by phone or by video from the "
            '"Book an appointment" page. You receive a confirmation and a link to move or '
            "cancel it.\n\n"
            "On the day, come to the front desk or use the check-in link: we show you your "
            "place in the queue.",
        ),
    ),
    Entry(
        "espace-client",
        PROCEDURE,
        (
            "Mot de passe de l'espace client oublié",
            "Sur la page de connexion, choisissez « Mot de passe oublié » et saisissez votre "
            "adresse e-mail : un lien valable 1 heure vous est envoyé.\n\n"
            "Vous ne recevez rien ? Vérifiez vos courriers indésirables, puis contactez-nous : "
            "un conseiller vérifie votre identité et met à jour votre adresse.",
        ),
        (
            "Forgotten online account password",
            'On the sign-in page, choose "Forgotten password" and enter your e-mail address: '
            "we send you a link valid for 1 hour.\n\n"
            "Nothing arrived? Check your spam folder, then contact us: an advisor checks your "
            "identity and updates your address.",
        ),
    ),
    Entry(
        "rappel",
        ANSWER,
        (
            "Être rappelé plutôt qu'attendre",
            "Quand l'attente dépasse quelques minutes, nous vous proposons d'être rappelé au "
            "créneau de votre choix, gratuitement. C'est de préférence votre conseiller "
            "habituel qui vous rappelle, avec votre dossier sous les yeux.",
        ),
        (
            "Getting a call back instead of waiting",
            "When the wait is more than a few minutes, we offer to call you back at a time you "
            "choose, free of charge. Your usual advisor calls you whenever possible, with your "
            "file in front of them.",
        ),
    ),
    Entry(
        "coupure",
        ANSWER,
        (
            "Coupure de courant : que faire ?",
            "Vérifiez d'abord votre disjoncteur. Si tout le quartier est privé de courant, il "
            "s'agit d'une panne du réseau : appelez le numéro de dépannage du gestionnaire "
            "de réseau indiqué sur votre facture, disponible 24 h sur 24.",
        ),
        None,
    ),  # no English version yet: shown as missing to editors
)


@transaction.atomic
def load_knowledge_demo(*, editor: Advisor) -> int:
    """Create the demo articles; returns how many. Does nothing when they exist."""
    if Article.objects.exists():
        return 0
    count = 0
    for entry in ENTRIES:
        fr = _live(entry.kind, "fr", entry.topic, *entry.fr, editor=editor)
        count += 1
        if entry.en is not None:
            _live(entry.kind, "en", entry.topic, *entry.en, editor=editor, translation_of=fr)
            count += 1
    # An urgent fix: the express delivery price was wrong on the site.
    delivery = Article.objects.get(topic="livraison", language="fr")
    fixed = services.version_draft_create(
        article=delivery,
        title="Délais de livraison de la box et des équipements",
        body=delivery.versions.get().body_html + "<p>Livraison express en 24 heures : 9,90 €.</p>",
        by=editor,
    )
    services.version_publish_urgently(
        version=fixed, by=editor, reason="Prix de la livraison express absent du site"
    )
    # A change waiting for the next window.
    offer = Article.objects.get(topic="offre-fibre", language="fr")
    waiting = services.version_draft_create(
        article=offer,
        title="Offre Fibre Essentielle : prix",
        body="Fibre Essentielle : internet jusqu'à 2 Gbit/s, téléphone fixe illimité, box "
        "incluse.\n\n27,99 € par mois, sans engagement. Mise en service offerte.",
        by=editor,
    )
    services.version_schedule(version=waiting, by=editor)
    return count


def _live(
    kind: str, language: str, topic: str, title: str, body: str, *, editor: Advisor,
    translation_of: Article | None = None,
) -> Article:  # fmt: skip
    article = services.article_create(
        kind=kind, language=language, title=title, body=body, by=editor, topic=topic,
        translation_of=translation_of,
    )  # fmt: skip
    services.version_publish_urgently(
        version=article.versions.get(), by=editor, reason="Contenu initial de la démo"
    )
    return article

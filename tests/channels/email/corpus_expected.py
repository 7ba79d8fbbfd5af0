"""What each e-mail of corpus/ must become. One entry per file; every file has one.

status      "done" (a person's mail, on a case) or "ignored" (robots, unthreadable)
customer    the e-mail identity of the customer found or created (None: nobody created)
name        (given name, family name) of a customer created from the From header
subject     the subject of the new case
visible     substrings the timeline shows
hidden      substrings it must not show (quoted history, signatures, scripts)
html        substrings of the stored (sanitised) HTML; html_not: must not be in it
attachments {file name: refusal ("" when kept)}
language    language of a new customer
"""

CORPUS = {
    "01_plain_fr.eml": dict(
        customer="helene.durand@example.org", name=("Hélène", "Durand"),
        subject="Facture de février", visible=["deux fois trop élevée"], language="fr",
    ),
    "02_plain_en.eml": dict(
        customer="john.smith@example.com", visible=["amount is doubled"], language="en",
    ),
    "03_alternative.eml": dict(
        customer="marc.petit@example.org", visible=["commande 4512"], html=["<b>4512</b>"],
    ),
    "04_html_only.eml": dict(
        customer="sophie.bernard@example.org", visible=["résilier", "Cordialement"],
        hidden=["alert", "color:red"], html=["<strong>résilier</strong>"],
        html_not=["script", "onclick", "style"],
    ),
    "05_html_gmail_quote.eml": dict(
        customer="luc.moreau@example.org", visible=["bien reçu"],
        hidden=["message précédent", "a écrit"],
    ),
    "06_rfc2047.eml": dict(
        customer="francois.leger@example.org", name=("François", "Léger"),
        subject="Problème de connexion — urgent", visible=["me connecter"],
    ),
    "07_latin1.eml": dict(customer="andre.roux@example.org", visible=["déménagé à Besançon"]),
    "08_cp1252.eml": dict(
        customer="claire.fabre@example.org", visible=["J’attends", "49 €", "“promis”"],
    ),
    "09_qp.eml": dict(customer="nina.girard@example.org", visible=["déplacer", "vendredi matin"]),
    "10_base64.eml": dict(customer="paul.walker@example.com", visible=["contract renewal"]),
    "11_reply_fr_gmail.eml": dict(
        customer="helene.durand@example.org", visible=["2025-02-118"],
        hidden=["a écrit", "numéro de la facture ?"],
    ),
    "12_reply_fr_wrapped.eml": dict(
        customer="marc.petit@example.org", visible=["Toujours rien reçu"],
        hidden=["Léa Martin", "parti vendredi"],
    ),
    "13_reply_en_gmail.eml": dict(
        customer="john.smith@example.com", visible=["2025-02-007"],
        hidden=["wrote:", "Could you send"],
    ),
    "14_outlook_fr.eml": dict(
        customer="sophie.bernard@example.org", visible=["résiliation au 31 mars"],
        hidden=["Envoyé :", "vraiment résilier"],
    ),
    "15_outlook_en.eml": dict(
        customer="paul.walker@example.com", visible=["after 6 pm"],
        hidden=["Sent:", "When can we call"],
    ),
    "16_original_message.eml": dict(
        customer="claire.fabre@example.org", visible=["toujours pas de remboursement"],
        hidden=["Original Message", "est en cours"],
    ),
    "17_gt_quotes.eml": dict(
        customer="nina.girard@example.org", visible=["me convient"],
        hidden=["Nous pouvons", "> "],
    ),
    "18_signature.eml": dict(
        customer="jean.dupont@example.org", visible=["nouveau RIB"], hidden=["06 12 34"],
    ),
    "19_sent_from_iphone.eml": dict(
        customer="emma.leroy@example.org", visible=["clignote en rouge"], hidden=["iPhone"],
    ),
    "20_attachment_pdf.eml": dict(
        customer="helene.durand@example.org", visible=["pièce jointe"],
        attachments={"facture.pdf": ""},
    ),
    "21_inline_image.eml": dict(
        customer="marc.petit@example.org", visible=["Voici le colis"],
        attachments={"colis.png": ""}, html_not=["<img"],
    ),
    "22_svg_attachment.eml": dict(
        customer="luc.moreau@example.org", visible=["logo demandé"],
        attachments={"logo.svg": ""},
    ),
    "23_html_attachment.eml": dict(
        customer="emma.leroy@example.org", visible=["page d'erreur"], hidden=["Erreur 500"],
        attachments={"erreur.html": ""},
    ),
    "24_exe_attachment.eml": dict(
        customer="tom.baker@example.com", visible=["run the attached tool"],
        attachments={"invoice.exe": "dangerous_type"},
    ),
    "25_big_attachment.eml": dict(
        customer="claire.fabre@example.org", visible=["scan est joint"],
        attachments={"scan.tif": "too_large"},
    ),
    "26_rfc2231_filename.eml": dict(
        customer="francois.leger@example.org", attachments={"attestation été.pdf": ""},
    ),
    "27_auto_submitted.eml": dict(status="ignored", customer=None),
    "28_precedence.eml": dict(status="ignored", customer=None),
    "29_x_autoreply.eml": dict(status="ignored", customer=None),
    "30_x_autorespond.eml": dict(status="ignored", customer=None),
    "31_subject_fr.eml": dict(status="ignored", customer=None),
    "32_bounce_dsn.eml": dict(status="ignored", customer=None),
    "33_mailer_daemon.eml": dict(status="ignored", customer=None),
    "34_outlook_oof.eml": dict(status="ignored", customer=None),
    "35_broken_from.eml": dict(
        customer="jm.blanc@example.org", visible=["n'apparaît pas"],
    ),
    "36_broken_date.eml": dict(customer="alice.martin@example.org", visible=["réinitialisation"]),
    "37_no_message_id.eml": dict(customer="bob.lee@example.com", visible=["no Message-ID"]),
    "38_no_subject.eml": dict(
        customer="chloe.garnier@example.org", subject="(sans objet)", visible=["fidélité"],
    ),
    "39_unknown_charset.eml": dict(customer="david.klein@example.org", visible=["perdu ma carte"]),
    "40_folded_subject.eml": dict(
        customer="eva.schmitt@example.org",
        subject="Une question assez longue sur la facturation de mon contrat professionnel "
        "et sur les pénalités de retard",
    ),
    "41_attachment_only.eml": dict(
        customer="hugo.bonnet@example.org", visible=["justificatif.pdf"],
        attachments={"justificatif.pdf": ""},
    ),
    "42_name_comma.eml": dict(customer="marie.dupont@example.org", name=("Marie", "Dupont")),
    "43_no_display_name.eml": dict(
        customer="jean-pierre.martin@example.org", name=("Jean Pierre", "Martin"),
    ),
    "44_html_tracking.eml": dict(
        customer="iris.noel@example.org", visible=["ne marche pas"],
        html=['href="https://shop.example.com/aide"'],
        html_not=["javascript:", "tracker.example.net", "iframe", "evil"],
    ),
    "45_mixed_alternative.eml": dict(
        customer="julie.roche@example.org", visible=["valider le devis"],
        html=["<em>devis</em>"], attachments={"devis.pdf": ""},
    ),
    "46_encoded_word_filename.eml": dict(
        customer="karl.weber@example.com", attachments={"résumé.pdf": ""},
    ),
    "47_raw_utf8_headers.eml": dict(
        customer="zoe.lefevre@example.org", name=("Zoé", "Lefèvre"),
        subject="Problème d'accès à l'espace client",
    ),
    "48_case_insensitive_from.eml": dict(customer="helene.durand@example.org"),
}  # fmt: skip

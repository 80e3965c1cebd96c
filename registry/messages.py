"""Every sentence a caseworker reads, in Danish (default) and English.

Kept apart from the checker so that wording can be reviewed by legal staff in one place.
"""

from __future__ import annotations

from typing import Any

MESSAGES: dict[str, dict[str, str]] = {
    "headline.allowed": {
        "da": "TILLADT: {name} Kommune må den {date} fravige det angivne.",
        "en": "ALLOWED: {name} Municipality may, on {date}, deviate as stated.",
    },
    "headline.nothing": {
        "da": "TILLADT: Der er ikke angivet nogen fravigelse af loven; {name} Kommune følger den {date} de almindelige "
              "regler.",
        "en": "ALLOWED: No deviation from the law was declared; {name} Municipality follows the ordinary rules on "
              "{date}.",
    },
    "headline.needs_decision": {
        "da": "KRÆVER BESLUTNING: {name} Kommune kan fravige det angivne den {date}, men kun efter en offentliggjort "
              "beslutning fra kommunalbestyrelsen.",
        "en": "NEEDS A DECISION: {name} Municipality may deviate on {date}, but only after the municipal council "
              "has published a decision.",
    },
    "headline.not_covered": {
        "da": "IKKE OMFATTET: {name} Kommune er ikke frisat fra det angivne den {date}. De almindelige regler gælder.",
        "en": "NOT COVERED: {name} Municipality is not freed from this on {date}. The ordinary rules apply.",
    },
    "headline.violates_fencepost": {
        "da": "STRIDER MOD EN HEGNSPÆL: {name} Kommune må ikke fravige det angivne den {date}.",
        "en": "VIOLATES A FENCE POST: {name} Municipality may not deviate from this on {date}.",
    },
    "fencepost": {
        "da": "{target} er en hegnspæl under {agreement}: den gælder fortsat og kan ikke fraviges.",
        "en": "{target} is a fence post under {agreement}: it still applies and cannot be disapplied.",
    },
    "local_fencepost": {
        "da": "{target} er en lokal hegnspæl, som kommunen selv har fastsat under {agreement}.",
        "en": "{target} is a local fence post the municipality set itself under {agreement}.",
    },
    "required_by_fencepost": {
        "da": "Hegnspælen {fence} kræver {target}: {path}.",
        "en": "The fence post {fence} requires {target}: {path}.",
    },
    "exempt_statute": {
        "da": "{target} gælder ikke for kommunen under {agreement}, fordi loven selv har fritaget den ({by}).",
        "en": "{target} does not apply to the municipality under {agreement}: the statute itself disapplies it ({by}).",
    },
    "decision_in_force": {
        "da": "Kommunen har offentliggjort beslutningen \"{title}\" ({published}, virkning fra {effective}), som "
              "fraviger {target} {extent}.",
        "en": "The municipality published the decision \"{title}\" ({published}, in effect from {effective}), which "
              "disapplies {target} {extent}.",
    },
    "extent.wholly": {"da": "helt", "en": "wholly"},
    "extent.partly": {"da": "delvist", "en": "partly"},
    "partly_warning": {
        "da": "Beslutningen om {target} fraviger kun delvist ({note}). Kontrollér, at praksis ligger inden for den.",
        "en": "The decision on {target} disapplies it only partly ({note}). Check that the practice is within it.",
    },
    "exemptable_needs_decision": {
        "da": "{target} kan fraviges under {agreement}, men kommunen har ikke offentliggjort en beslutning, der "
              "fraviger den, med virkning den {date}.",
        "en": "{target} may be disapplied under {agreement}, but the municipality has published no decision that "
              "disapplies it with effect on {date}.",
    },
    "how_to_decide": {
        "da": "Kommunalbestyrelsen skal træffe beslutning{under} og offentliggøre den i kommunens samlede oversigt"
              "{overview}. Beslutningen får tidligst virkning dagen efter offentliggørelsen, dvs. tidligst {earliest}, "
              "hvis den offentliggøres {date}.",
        "en": "The municipal council must decide{under} and publish the decision in the municipality's collected "
              "overview{overview}. It takes effect at the earliest the day after publication, i.e. {earliest} if "
              "published on {date}.",
    },
    "decide_until": {
        "da": " Under {agreement} kan fritagelsen højst gælde til og med {end}.",
        "en": " Under {agreement} the exemption can last at most until {end} inclusive.",
    },
    "how_to_decide_too_late": {
        "da": "En beslutning{under} kan ikke længere nå at få virkning: den får tidligst virkning dagen efter "
              "offentliggørelsen, dvs. {earliest}, men {target} kan kun fraviges under {agreement} til og med {end}.",
        "en": "A decision{under} can no longer take effect in time: it takes effect at the earliest the day after "
              "publication, i.e. {earliest}, but {target} can only be disapplied under {agreement} until {end} "
              "inclusive.",
    },
    "under_cit": {"da": " efter {cit}", "en": " under {cit}"},
    "overview_cit": {"da": ", jf. {cit}", "en": " ({cit})"},
    "out_of_scope": {
        "da": "{target} er ikke omfattet af forsøget under {agreement}; de almindelige regler gælder.",
        "en": "{target} is outside the trial under {agreement}; the ordinary rules apply.",
    },
    "unknown_status": {
        "da": "Det er uafklaret, om {target} kan fraviges under {agreement} ({note}). Indtil det er afklaret, "
              "gælder de almindelige regler.",
        "en": "Whether {target} may be disapplied under {agreement} is unsettled ({note}). Until it is settled, "
              "the ordinary rules apply.",
    },
    "unknown_warning": {
        "da": "Usikker status: registret ved ikke, om {target} kan fraviges ({note}). Søg juridisk rådgivning.",
        "en": "Unsettled status: the registry does not know whether {target} may be disapplied ({note}). Seek legal "
              "advice.",
    },
    "no_status": {
        "da": "{target} er ikke blandt de bestemmelser, som {agreement} lader kommunen fravige; de almindelige regler "
              "gælder.",
        "en": "{target} is not among the provisions {agreement} lets the municipality disapply; the ordinary rules "
              "apply.",
    },
    "no_agreement": {
        "da": "{name} Kommune har ingen velfærdsaftale, der gælder den {date}{area}; de almindelige regler gælder.",
        "en": "{name} Municipality has no welfare agreement in force on {date}{area}; the ordinary rules apply.",
    },
    "area_suffix": {"da": " på {area}", "en": " in the area {area}"},
    "agreement_period": {
        "da": "Kommunens aftale {agreement} gælder fra {start} til og med {end}.",
        "en": "The municipality's agreement {agreement} runs from {start} to {end} inclusive.",
    },
    "transition": {
        "da": "Kommunen havde ved udløbet af {agreement} ({end}) offentliggjort {decisions} om {target}. Efter {rule} "
              "gælder loven dog fortsat for foranstaltninger over for den enkelte borger, som kommunen har besluttet "
              "efter loven, og som ikke var udløbet ved ophævelsen, indtil kommunen træffer anden bestemmelse efter de "
              "regler, der gælder nu. Nye fravigelser kan ikke besluttes.",
        "en": "When {agreement} ended ({end}), the municipality had published {decisions} on {target}. By {rule}, the "
              "act still applies to measures for an individual citizen that the municipality decided under it and "
              "that had not run out when it was repealed, until the municipality decides otherwise under the rules "
              "in force now. No new exemptions can be decided.",
    },
    "transition_warning": {
        "da": "Overgangsregel: foranstaltninger over for borgere efter {decisions} kan fortsætte efter {rule}; "
              "svaret gælder ny praksis.",
        "en": "Transitional rule: measures for citizens under {decisions} may go on by {rule}; the answer is about "
              "new practice.",
    },
    "agreement_cancelled": {
        "da": "Kommunens aftale {agreement} skulle være begyndt {start}, men blev aflyst {date} og trådte aldrig i "
              "kraft.",
        "en": "The municipality's agreement {agreement} was to start on {start} but was called off on {date} and "
              "never took effect.",
    },
    "exemptable_elsewhere": {
        "da": "{target} kan fraviges under {agreement} ({municipalities}), men ikke af denne kommune på denne dato.",
        "en": "{target} may be disapplied under {agreement} ({municipalities}), but not by this municipality on "
              "this date.",
    },
    "exemptable_not_now": {
        "da": "{target} kan fraviges under {agreement} ({municipalities}), men ikke på denne dato eller i dette område.",
        "en": "{target} may be disapplied under {agreement} ({municipalities}), but not on this date or in this area.",
    },
    "replaced_by": {
        "da": "Hvis {target} fraviges, gælder i stedet {duty}, som skal overholdes.",
        "en": "If {target} is disapplied, {duty} applies instead and must be kept.",
    },
    "sibling_exemptable": {
        "da": "Nærmeste lovlige vej: {sibling} kan fraviges under {agreement}.",
        "en": "Nearest compliant way: {sibling} may be disapplied under {agreement}.",
    },
    "alternative": {
        "da": "Uden fritagelse: {alt} — {text}",
        "en": "Without any exemption: {alt} — {text}",
    },
    "condition_met": {
        "da": "Undtagelsen gælder, fordi {condition} er fraveget.",
        "en": "The exception applies because {condition} is disapplied.",
    },
    "except": {
        "da": "Undtagelsen gælder ikke for: {text}.",
        "en": "The exception does not reach: {text}.",
    },
    "inferred_warning": {
        "da": "Svaret bygger på en udledt status for {target} (ikke læst i selve loven): {note}",
        "en": "The answer rests on an inferred status for {target} (not read in the act itself): {note}",
    },
    "inferred_provision_warning": {
        "da": "Noget af det, registret ved om {target} (nummeret eller ikrafttrædelsen), er udledt og ikke læst i lovteksten: {note}",
        "en": "Part of what the registry records about {target} (its number or its entry into force) is inferred, not read in the text of the law: {note}",
    },
    "inferred_decision_warning": {
        "da": "Beslutningen \"{title}\" er registreret ud fra sekundære kilder: {note}",
        "en": "The decision \"{title}\" is recorded from secondary sources: {note}",
    },
    "inferred_agreement_warning": {
        "da": "Aftalen {agreement} er registreret ud fra sekundære kilder: {note}",
        "en": "The agreement {agreement} is recorded from secondary sources: {note}",
    },
    "unmodelled_law": {
        "da": "Loven \"{law}\" findes ikke i registret; registret kan ikke sige, om den kan fraviges. De almindelige "
              "regler gælder.",
        "en": "The law \"{law}\" is not in the registry; it cannot say whether it may be disapplied. The ordinary "
              "rules apply.",
    },
    "undeclared_part": {
        "da": "{target} er ikke registreret; registret kan ikke se, om den findes (kontrollér nummeret), og svaret "
              "bygger på det, der gælder for {whole}.",
        "en": "{target} is not registered; the registry cannot tell whether it exists (check the number), and the "
              "answer rests on what holds for {whole}.",
    },
    "undeclared_section": {
        "da": "{target} er ikke registreret som bestemmelse; svaret bygger på lovens øvrige statusser.",
        "en": "{target} is not registered as a provision; the answer rests on the law's other statuses.",
    },
    "not_in_force": {
        "da": "{target} gælder ikke den {date} ({why}). Der er intet at fritage fra her, og registret vurderer ikke, "
              "hvilke regler der gælder i stedet.",
        "en": "{target} is not in force on {date} ({why}). There is nothing to disapply here, and the registry does "
              "not judge which rules apply instead.",
    },
    "repealed_why": {"da": "ophævet fra {date} ved {act}", "en": "repealed from {date} by {act}"},
    "period_why": {"da": "gælder {start} – {end}", "en": "in force {start} – {end}"},
    "succeeded": {
        "da": "{target} er fra {date} videreført i {successor}.",
        "en": "{target} was carried over into {successor} from {date}.",
    },
}


def t(key: str, lang: str = "da", **kw: Any) -> str:
    entry = MESSAGES[key]
    return entry.get(lang, entry["da"]).format(**kw)

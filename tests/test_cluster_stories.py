"""One story, whatever the language: reports of the same event in English, French and Arabic
join one brief; different events that share actors, places or days stay apart.

The set was written before the join threshold was chosen. `STORIES` and `APART` are the tuning
set; `HELD_OUT_STORIES` and `HELD_OUT_APART` were set aside and only checked at the end. Every
report is run through the real analysis (actors with their canonical keys) and the same index
the ingest pass uses, in order of publication."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import count, permutations

import pytest

from bot.analysis.cluster import StoryIndex, collect_evidence, signature
from bot.analysis.pipeline import Analyser
from bot.domain import Article


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 12, day, hour, minute, tzinfo=UTC)


@dataclass(frozen=True)
class Report:
    outlet: str
    published: datetime
    title: str
    body: str

    def article(self, identity: str) -> Article:
        return Article(
            identity=identity,
            title=self.title,
            url=f"https://{self.outlet.lower().replace(' ', '-')}.example.org/{identity}",
            summary=self.body,
            text="",
            outlet=self.outlet,
            published_at=self.published,
        )


Triple = tuple[Report, Report, Report]

# ---------------------------------------------------------------- the tuning set: triples

TRIPOLI_CLASH: Triple = (
    Report(
        "Libya Desk",
        at(12, 7, 40),
        "Six killed as armed groups clash in southern Tripoli",
        "At least six people, two of them civilians, were killed and 19 wounded when the "
        "Stability Support Apparatus and the 444th Brigade fought overnight in Tripoli's Salah "
        "al-Din district, the Libyan Red Crescent said on Friday. Heavy gunfire was heard until "
        "dawn and several roads to the airport were closed. Prime Minister Abdul Hamid Dbeibah "
        "ordered both forces back to their bases. The fighting is the worst in the capital since "
        "May and could unravel the truce brokered by the UN mission.",
    ),
    Report(
        "Maghreb Hebdo",
        at(12, 10, 15),
        "Libye : six morts dans des affrontements entre groupes armés à Tripoli",
        "Six personnes, dont deux civils, ont été tuées et 19 blessées dans la nuit de jeudi à "
        "vendredi lors d'affrontements entre l'Appareil de soutien à la stabilité et la Brigade "
        "444 dans le quartier de Salah Eddine, au sud de Tripoli, selon le Croissant-Rouge "
        "libyen. Le Premier ministre Abdelhamid Dbeibah a ordonné aux deux forces de regagner "
        "leurs casernes. Ces combats menacent la trêve conclue sous l'égide de l'ONU.",
    ),
    Report(
        "Al Manara",
        at(12, 9, 5),
        "مقتل ستة أشخاص في اشتباكات مسلحة جنوب طرابلس",
        "قُتل ستة أشخاص بينهم مدنيان وأصيب 19 آخرون في اشتباكات اندلعت ليل الخميس بين جهاز "
        "دعم الاستقرار واللواء 444 في منطقة صلاح الدين جنوب العاصمة طرابلس، وفق ما أعلنه "
        "الهلال الأحمر الليبي يوم الجمعة. وأمر رئيس حكومة الوحدة الوطنية عبد الحميد الدبيبة "
        "القوتين بالعودة إلى مقراتهما.",
    ),
)

SFAX_INTERCEPTION: Triple = (
    Report(
        "Carthage Wire",
        at(10, 16),
        "Tunisian coastguard stops 137 migrants off Sfax",
        "Tunisia's National Guard intercepted four boats carrying 137 migrants, most of them "
        "from sub-Saharan Africa, off the coast of Sfax on Wednesday, a spokesman said. Two "
        "bodies were recovered near Jebiniana. Departures from the Sfax coast have picked up "
        "again with calmer weather, and Italy expects more arrivals on Lampedusa.",
    ),
    Report(
        "Tunis Hebdo",
        at(10, 18, 30),
        "Sfax : 137 migrants interceptés au large par la garde nationale",
        "Les unités de la garde nationale maritime ont intercepté mercredi quatre embarcations "
        "transportant 137 migrants subsahariens au large de Sfax, a indiqué le porte-parole de "
        "la garde nationale. Deux corps ont été repêchés au large de Jebiniana. Les départs ont "
        "repris avec l'amélioration de la météo.",
    ),
    Report(
        "Assabah News",
        at(11, 8),
        "إحباط أربع عمليات اجتياز خلسة قبالة صفاقس وإنقاذ 137 مهاجرا",
        "أحبطت وحدات الحرس البحري يوم الأربعاء أربع عمليات اجتياز للحدود البحرية خلسة "
        "انطلاقا من سواحل صفاقس، وأنقذت 137 مهاجرا من دول إفريقيا جنوب الصحراء، وفق ما أفاد "
        "به الناطق الرسمي باسم الحرس الوطني. كما تم انتشال جثتين قبالة سواحل جبنيانة.",
    ),
)

MALI_DRONE_STRIKE: Triple = (
    Report(
        "Sahel Monitor",
        at(9, 20),
        "Drone strike on market near Kidal kills 14 civilians",
        "A drone strike by the Malian army hit a weekly market near Kidal in northern Mali on "
        "Tuesday, killing at least 14 civilians, local officials said. The army said it had "
        "targeted terrorists gathering at the market. Rebels of the Azawad Liberation Front "
        "accused Bamako of deliberately striking civilians.",
    ),
    Report(
        "Sahel Info",
        at(10, 6, 30),
        "Mali : une frappe de drone tue 14 civils sur un marché près de Kidal",
        "Au moins 14 civils ont été tués mardi par une frappe de drone de l'armée malienne sur "
        "un marché hebdomadaire proche de Kidal, dans le nord du Mali, selon des élus locaux. "
        "Les Forces armées maliennes affirment avoir visé des terroristes. Le Front de "
        "libération de l'Azawad dénonce un massacre.",
    ),
    Report(
        "Sahara Post",
        at(10, 5),
        "مقتل 14 مدنيا في غارة بطائرة مسيرة على سوق قرب كيدال",
        "قُتل 14 مدنيا على الأقل يوم الثلاثاء في غارة نفذتها طائرة مسيرة تابعة للجيش المالي "
        "على سوق أسبوعية قرب مدينة كيدال شمالي مالي، بحسب مسؤولين محليين. وقال الجيش إنه "
        "استهدف إرهابيين، فيما اتهمت جبهة تحرير أزواد باماكو باستهداف المدنيين.",
    ),
)

PIANTEDOSI_IN_TUNIS: Triple = (
    Report(
        "Carthage Wire",
        at(11, 15),
        "Italy's Piantedosi in Tunis for migration talks",
        "Italian Interior Minister Matteo Piantedosi met his Tunisian counterpart Khaled Nouri "
        "in Tunis on Thursday to discuss irregular migration and voluntary returns. Italy will "
        "deliver six patrol boats to the Tunisian National Guard next year, the two ministers "
        "said. Rome has funded the return of 1,400 migrants from Tunisia since January.",
    ),
    Report(
        "Tunis Hebdo",
        at(11, 17, 20),
        "Migration : Khaled Nouri reçoit son homologue italien Matteo Piantedosi",
        "Le ministre de l'Intérieur Khaled Nouri a reçu jeudi à Tunis son homologue italien "
        "Matteo Piantedosi. Les entretiens ont porté sur la migration irrégulière et les retours "
        "volontaires. L'Italie livrera six patrouilleurs à la garde nationale et a financé "
        "depuis janvier le retour de 1 400 migrants.",
    ),
    Report(
        "Assabah News",
        at(11, 19),
        "وزير الداخلية يستقبل نظيره الإيطالي لبحث ملف الهجرة",
        "استقبل وزير الداخلية خالد النوري يوم الخميس بتونس العاصمة نظيره الإيطالي ماتيو "
        "بيانتيدوسي، وتناول اللقاء ملف الهجرة غير النظامية والعودة الطوعية. وستسلم إيطاليا "
        "ستة زوارق دورية إلى الحرس الوطني، بعد أن مولت منذ جانفي عودة 1400 مهاجر.",
    ),
)

ALGIERS_GAS_DEAL: Triple = (
    Report(
        "Energy North Africa",
        at(8, 14),
        "Sonatrach and Eni sign $1.3 billion gas deal",
        "Algeria's state energy company Sonatrach and Italy's Eni signed a $1.3 billion "
        "agreement in Algiers on Monday to develop gas fields in the Berkine basin. The deal "
        "should add 6 billion cubic metres a year of gas exports to Italy from 2028, Sonatrach "
        "said.",
    ),
    Report(
        "Algerie Eco",
        at(8, 16),
        "Gaz : Sonatrach et Eni signent un accord de 1,3 milliard de dollars",
        "Le groupe public algérien Sonatrach et l'italien Eni ont signé lundi à Alger un accord "
        "de 1,3 milliard de dollars pour développer des gisements gaziers dans le bassin de "
        "Berkine. L'accord doit permettre d'exporter 6 milliards de mètres cubes "
        "supplémentaires par an vers l'Italie à partir de 2028.",
    ),
    Report(
        "Al Khabar Eco",
        at(8, 15, 30),
        "سوناطراك وإيني توقعان اتفاقا غازيا بقيمة 1.3 مليار دولار",
        "وقعت مجموعة سوناطراك الجزائرية وشركة إيني الإيطالية يوم الاثنين بالجزائر العاصمة "
        "اتفاقا بقيمة 1.3 مليار دولار لتطوير حقول غاز في حوض بركين، على أن يسمح بتصدير 6 "
        "مليارات متر مكعب إضافية سنويا نحو إيطاليا ابتداء من 2028.",
    ),
)

STORIES: dict[str, Triple] = {
    "tripoli-clash": TRIPOLI_CLASH,
    "sfax-interception": SFAX_INTERCEPTION,
    "mali-drone-strike": MALI_DRONE_STRIKE,
    "piantedosi-in-tunis": PIANTEDOSI_IN_TUNIS,
    "algiers-gas-deal": ALGIERS_GAS_DEAL,
}

# ---------------------------------------------------------------- the tuning set: different events

NOURI_IN_SFAX = Report(
    "Carthage Wire",
    at(8, 10),
    "Interior Minister Nouri visits Sfax as migrant camps are cleared",
    "Interior Minister Khaled Nouri visited Sfax on Monday to inspect the clearing of informal "
    "migrant camps in the olive groves of El Amra and Jebiniana. He said 2,300 migrants had "
    "been moved out of the camps in a week. The National Guard has stepped up patrols on the "
    "coast.",
)
NOURI_ON_THE_VOTE = Report(
    "Tunis Hebdo",
    at(9, 16),
    "Municipales : Khaled Nouri présente le plan de sécurisation du scrutin",
    "Le ministre de l'Intérieur Khaled Nouri a présenté mardi à Tunis le plan de sécurisation "
    "des élections municipales partielles, qui mobilisera 12 000 agents de la police et de la "
    "garde nationale. Le scrutin est prévu le 21 décembre dans 18 circonscriptions.",
)
TAJOURA_CLASH_A_WEEK_EARLIER = Report(
    "Al Manara",
    at(4, 22),
    "اشتباكات بين جهاز الردع واللواء 444 في تاجوراء",
    "اندلعت مساء الخميس اشتباكات مسلحة بين قوة الردع واللواء 444 في منطقة تاجوراء شرق العاصمة "
    "طرابلس، أسفرت عن مقتل ثلاثة أشخاص وإصابة ثمانية آخرين، بحسب مركز طب الطوارئ والدعم.",
)
MELONI_TEBBOUNE_ON_MIGRATION = Report(
    "Rome Desk",
    at(8, 19),
    "Meloni and Tebboune discuss migration in Algiers",
    "Italian Prime Minister Giorgia Meloni met President Abdelmadjid Tebboune in Algiers on "
    "Monday to discuss irregular migration across the Mediterranean and the return of Algerian "
    "nationals. The two leaders also talked about energy cooperation, a day after Italy's gas "
    "imports from Algeria hit a record.",
)
JNIM_AMBUSH_NEAR_GAO = Report(
    "Sahel Info",
    at(10, 8),
    "Mali : neuf soldats tués dans une embuscade du JNIM près de Gao",
    "Neuf soldats maliens ont été tués mardi dans une embuscade tendue par le JNIM contre un "
    "convoi de l'armée malienne entre Gao et Ansongo, a indiqué l'état-major des Forces armées "
    "maliennes. Plusieurs véhicules ont été incendiés.",
)
SFAX_INTERCEPTION_NEXT_NIGHT = Report(
    "Assabah News",
    at(12, 1),
    "الحرس البحري يحبط 5 عمليات اجتياز خلسة انطلاقا من سواحل صفاقس",
    "أحبطت وحدات الحرس البحري ليلة الخميس خمس عمليات اجتياز للحدود البحرية خلسة انطلاقا من "
    "سواحل صفاقس والمهدية، وأنقذت 85 مهاجرا، بينهم 12 امرأة، وفق ما أفاد به الناطق الرسمي "
    "باسم الحرس الوطني.",
)
DBEIBAH_PAY_RISE = Report(
    "Libya Desk",
    at(11, 12),
    "Dbeibah announces 20% pay rise for public sector workers",
    "Prime Minister Abdul Hamid Dbeibah announced in Tripoli on Thursday a 20% pay rise for 2.3 "
    "million public sector employees from January, to be paid by the Central Bank of Libya. "
    "The Government of National Unity said the increase would cost 9 billion dinars a year.",
)

APART: dict[str, tuple[Report, Report]] = {
    "same minister, two days, two subjects": (NOURI_IN_SFAX, NOURI_ON_THE_VOTE),
    "two Tripoli clashes a week apart": (TAJOURA_CLASH_A_WEEK_EARLIER, TRIPOLI_CLASH[0]),
    "Algeria and Italy: gas deal vs migration talks": (
        ALGIERS_GAS_DEAL[1],
        MELONI_TEBBOUNE_ON_MIGRATION,
    ),
    "Algeria and Italy: gas deal vs migration talks (EN)": (
        ALGIERS_GAS_DEAL[0],
        MELONI_TEBBOUNE_ON_MIGRATION,
    ),
    "Malian army: drone strike vs JNIM ambush": (MALI_DRONE_STRIKE[0], JNIM_AMBUSH_NEAR_GAO),
    "two Sfax interceptions on consecutive nights": (
        SFAX_INTERCEPTION[0],
        SFAX_INTERCEPTION_NEXT_NIGHT,
    ),
    "Dbeibah: pay rise vs Tripoli clash": (DBEIBAH_PAY_RISE, TRIPOLI_CLASH[1]),
}

# ---------------------------------------------------------------- kept aside until the end

HAFTAR_MEETS_SISI: Triple = (
    Report(
        "Nile Desk",
        at(7, 18),
        "Sisi receives Haftar in El Alamein for talks on Libya's elections",
        "Egyptian President Abdel Fattah al-Sisi received Khalifa Haftar, commander of the "
        "Libyan National Army, in El Alamein on Sunday. The two men discussed border security "
        "and the stalled path to elections in Libya, the Egyptian presidency said.",
    ),
    Report(
        "Maghreb Hebdo",
        at(7, 20, 10),
        "Libye : Khalifa Haftar reçu par Abdel Fattah al-Sissi à El-Alamein",
        "Le président égyptien Abdel Fattah al-Sissi a reçu dimanche à El-Alamein le maréchal "
        "Khalifa Haftar. Les entretiens ont porté sur la sécurité des frontières et sur les "
        "élections en Libye, selon la présidence égyptienne.",
    ),
    Report(
        "Al Manara",
        at(7, 19),
        "السيسي يستقبل المشير خليفة حفتر في العلمين",
        "استقبل الرئيس عبد الفتاح السيسي، يوم الأحد في مدينة العلمين، القائد العام للجيش الوطني "
        "الليبي المشير خليفة حفتر، وبحث الجانبان تأمين الحدود المشتركة ومسار الانتخابات في "
        "ليبيا، بحسب المتحدث باسم الرئاسة المصرية.",
    ),
)

TILLABERI_ATTACK: Triple = (
    Report(
        "Sahel Monitor",
        at(11, 20),
        "Jihadists kill 22 Nigerien soldiers near Tillaberi",
        "Gunmen killed 22 soldiers in an attack on an army post near Tillaberi in western Niger "
        "on Thursday, the defence ministry said, blaming the Islamic State Sahel Province. "
        "Eleven soldiers were wounded and the army said dozens of attackers were killed in the "
        "fighting.",
    ),
    Report(
        "Sahel Info",
        at(11, 22, 30),
        "Niger : 22 soldats tués dans l'attaque d'un poste militaire près de Tillabéri",
        "Vingt-deux soldats nigériens ont été tués jeudi dans l'attaque d'un poste de l'armée "
        "près de Tillabéri, dans l'ouest du Niger, a annoncé le ministère de la Défense, qui "
        "accuse l'État islamique au Sahel. Onze militaires ont été blessés.",
    ),
    Report(
        "Sahara Post",
        at(12, 6),
        "مقتل 22 جنديا في هجوم على موقع عسكري غرب النيجر",
        "قُتل 22 جنديا نيجريا يوم الخميس في هجوم استهدف موقعا للجيش قرب تيلابيري غربي النيجر، "
        "وفق ما أعلنته وزارة الدفاع التي اتهمت تنظيم داعش في الساحل بتنفيذه. وأصيب 11 عسكريا "
        "آخرون.",
    ),
)

LAMPEDUSA_ARRIVALS: Triple = (
    Report(
        "Mediterranean Watch",
        at(13, 11),
        "More than 1,100 migrants land on Lampedusa in a day",
        "A total of 1,150 migrants arrived on Lampedusa aboard 23 boats on Saturday, most of "
        "them having left from Libya, Italian authorities said. The island's reception centre, "
        "built for 400 people, now holds more than 1,800. Italy's coast guard escorted several "
        "boats into port.",
    ),
    Report(
        "Mediterranee Info",
        at(13, 13),
        "Lampedusa : 1 150 migrants débarqués en 24 heures",
        "Pas moins de 1 150 migrants sont arrivés samedi à Lampedusa à bord de 23 embarcations "
        "parties pour la plupart de Libye, selon les autorités italiennes. Le centre d'accueil "
        "de l'île, prévu pour 400 personnes, en accueille désormais plus de 1 800.",
    ),
    Report(
        "Al Manara",
        at(13, 12, 30),
        "وصول 1150 مهاجرا إلى لامبيدوزا خلال يوم واحد",
        "وصل 1150 مهاجرا يوم السبت إلى جزيرة لامبيدوزا الإيطالية على متن 23 قاربا انطلق معظمها "
        "من ليبيا، وفق السلطات الإيطالية. ويؤوي مركز الاستقبال في الجزيرة، المصمم لاستيعاب 400 "
        "شخص، أكثر من 1800 مهاجر حاليا.",
    ),
)

HELD_OUT_STORIES: dict[str, Triple] = {
    "haftar-meets-sisi": HAFTAR_MEETS_SISI,
    "tillaberi-attack": TILLABERI_ATTACK,
    "lampedusa-arrivals": LAMPEDUSA_ARRIVALS,
}

HAFTAR_RECEIVES_YEVKUROV = Report(
    "Maghreb Hebdo",
    at(8, 12),
    "Libye : Khalifa Haftar reçoit le vice-ministre russe de la Défense à Benghazi",
    "Le maréchal Khalifa Haftar a reçu lundi à Benghazi le vice-ministre russe de la Défense, "
    "Iounous-Bek Ievkourov, pour discuter de la coopération militaire et de la formation des "
    "unités de l'Armée nationale libyenne.",
)
MOSQUE_ATTACK_NEAR_TILLABERI = Report(
    "Sahara Post",
    at(13, 6),
    "مقتل 11 مدنيا في هجوم على مسجد قرب تيلابيري",
    "قُتل 11 مدنيا على الأقل ليلة الجمعة في هجوم شنه مسلحون على مسجد في قرية قرب تيلابيري "
    "غربي النيجر، بحسب مصادر محلية اتهمت تنظيم داعش في الساحل.",
)
LAMPEDUSA_SHIPWRECK = Report(
    "Mediterranean Watch",
    at(13, 16),
    "Nine missing after migrant boat capsizes off Lampedusa",
    "Nine people are missing after a boat carrying 48 migrants capsized off Lampedusa on "
    "Saturday, the Italian coast guard said. Rescuers pulled 39 survivors from the water. The "
    "boat had left Sfax in Tunisia the day before.",
)

HELD_OUT_APART: dict[str, tuple[Report, Report]] = {
    "Haftar: Sisi in El Alamein vs Yevkurov in Benghazi": (
        HAFTAR_MEETS_SISI[0],
        HAFTAR_RECEIVES_YEVKUROV,
    ),
    "Tillaberi: army post on Thursday vs mosque on Friday": (
        TILLABERI_ATTACK[2],
        MOSQUE_ATTACK_NEAR_TILLABERI,
    ),
    "Lampedusa: arrivals vs a shipwreck the same day": (
        LAMPEDUSA_ARRIVALS[1],
        LAMPEDUSA_SHIPWRECK,
    ),
}

# ---------------------------------------------------------------- running them

_identities = count(1)


@pytest.fixture(scope="module")
def analyser() -> Analyser:
    return Analyser.load()


def cluster(analyser: Analyser, reports: Iterable[Report], *, as_given: bool = False) -> list[int]:
    """The brief each report ends in, fed in order of publication (or as given: feeds are
    read in any order) as ingest would."""
    index = StoryIndex()
    ordered = list(enumerate(reports))
    if not as_given:
        ordered.sort(key=lambda item: item[1].published)
    found: dict[int, int] = {}
    for position, report in ordered:
        article = report.article(f"item-{next(_identities)}")
        analysis = analyser.analyse(article)
        values = signature(article.title, article.body)
        evidence = collect_evidence(article, analysis, report.published)
        brief_id = index.find(values, evidence)
        if brief_id is None:
            brief_id = position + 1
            index.add(brief_id, values, [evidence])
        else:
            index.join(brief_id, evidence)
        found[position] = brief_id
    return [found[position] for position in range(len(found))]


def groups(ids: Sequence[int]) -> int:
    return len(set(ids))


@pytest.mark.parametrize("name", list(STORIES))
def test_a_story_in_three_languages_is_one_brief(analyser: Analyser, name: str) -> None:
    assert groups(cluster(analyser, STORIES[name])) == 1


@pytest.mark.parametrize("name", list(APART))
def test_different_events_sharing_actors_stay_apart(analyser: Analyser, name: str) -> None:
    assert groups(cluster(analyser, APART[name])) == 2


def test_the_order_of_arrival_does_not_matter(analyser: Analyser) -> None:
    for triple in STORIES.values():
        for order in permutations(triple):
            assert groups(cluster(analyser, order, as_given=True)) == 1
    for pair in APART.values():
        assert groups(cluster(analyser, reversed(pair), as_given=True)) == 2


def test_the_whole_set_in_one_stream_gives_one_brief_per_event(analyser: Analyser) -> None:
    """Every report of the tuning set and the different events, in one pass: each triple is
    one brief and no two events share one."""
    events: list[tuple[str, Report]] = [
        (name, report) for name, triple in STORIES.items() for report in triple
    ]
    singles = {id(report) for triple in STORIES.values() for report in triple}
    for pair in APART.values():
        events += [(f"single-{id(r)}", r) for r in pair if id(r) not in singles]
        singles.update(id(r) for r in pair)
    ids = cluster(analyser, [report for _, report in events])
    by_event: dict[str, set[int]] = {}
    for (name, _), brief_id in zip(events, ids, strict=True):
        by_event.setdefault(name, set()).add(brief_id)
    assert all(len(found) == 1 for found in by_event.values()), by_event
    assert len({brief for found in by_event.values() for brief in found}) == len(by_event)


@pytest.mark.parametrize("name", list(HELD_OUT_STORIES))
def test_held_out_triples_are_one_brief(analyser: Analyser, name: str) -> None:
    assert groups(cluster(analyser, HELD_OUT_STORIES[name])) == 1


@pytest.mark.parametrize("name", list(HELD_OUT_APART))
def test_held_out_different_events_stay_apart(analyser: Analyser, name: str) -> None:
    assert groups(cluster(analyser, HELD_OUT_APART[name])) == 2

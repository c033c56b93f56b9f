from __future__ import annotations

from pathlib import Path

import pytest

from bot.analysis.matchdoc import MatchDoc
from bot.analysis.query import QueryError, compile_query
from bot.analysis.topics import (
    CANONICAL_ORDER,
    PACK_MAX_LENGTH,
    PACK_MAX_TERMS,
    Presence,
    TopicPack,
    load_topics,
    match_topics,
    presence,
    salient,
    topic_sort_key,
)
from bot.domain import Topic

TOPICS = load_topics()

# A long unrelated story; a country named once at its very end must not make it a country story.
HARVEST = (
    "Growers in Burgundy began picking grapes two weeks earlier than usual this year. "
    "A hot and dry August left the berries small but concentrated, winemakers said. "
    "Several estates reported that hail in June had already cut their expected volumes. "
    "Cooperatives are asking the regional council for help with new irrigation trials. "
    "Prices for the most sought-after plots are expected to rise again at the autumn sales. "
    "Buyers from Asia were less present than last year, according to two brokers. "
)


def matched(title: str, body: str) -> tuple[str, ...]:
    return match_topics(title, body, TOPICS)


# (slug, title, body): each article must match the topic
POSITIVES = [
    # tunisia
    (
        "tunisia",
        "Tunisian court hands long sentences to opposition figures",
        "A court in Tunis sentenced several critics of President Kais Saied to prison terms on "
        "Friday. Defence lawyers said they would appeal.",
    ),
    (
        "tunisia",
        "Sfax : les producteurs d'huile d'olive inquiets pour la récolte",
        "Dans la région de Sfax, la sécheresse réduit les rendements pour la troisième année. "
        "Les exportateurs tunisiens craignent une baisse des volumes vers l'Europe.",
    ),
    (
        "tunisia",
        "الرئيس قيس سعيد يستقبل رئيسة الحكومة",
        "استقبل رئيس الجمهورية قيس سعيد بقصر قرطاج رئيسة الحكومة. "
        "وتناول اللقاء الوضع الاقتصادي في تونس.",
    ),
    # libya
    (
        "libya",
        "Armed groups clash in Tripoli's southern suburbs",
        "Heavy gunfire was heard overnight in the Libyan capital as rival armed groups fought "
        "near the old airport road. The Government of National Unity called for calm.",
    ),
    (
        "libya",
        "Libye : le Parlement de Tobrouk rejette le budget du gouvernement Dbeibah",
        "Les députés siégeant dans l'Est ont refusé le projet de loi de finances. Le maréchal "
        "Khalifa Haftar n'a pas commenté le vote.",
    ),
    (
        "libya",
        "اشتباكات مسلحة في طرابلس",
        "اندلعت اشتباكات بين مجموعات مسلحة في العاصمة الليبية ليلة الجمعة. "
        "ودعت البعثة الأممية إلى التهدئة.",
    ),
    # algeria
    (
        "algeria",
        "Algeria's Tebboune names a new prime minister",
        "President Abdelmadjid Tebboune appointed a new head of government on Sunday, the "
        "presidency said, after months of pressure over rising food prices.",
    ),
    (
        "algeria",
        "Alger convoque le chargé d'affaires français",
        "Le ministère des Affaires étrangères algérien a protesté contre des propos tenus à Paris. "
        "La relation entre les deux capitales reste tendue.",
    ),
    # morocco
    (
        "morocco",
        "Morocco's central bank holds its key rate",
        "Bank Al-Maghrib kept its benchmark rate unchanged on Tuesday and raised its growth "
        "forecast for the kingdom after a better harvest.",
    ),
    (
        "morocco",
        "Le Maroc et l'Espagne relancent le projet de tunnel sous le détroit",
        "Rabat et Madrid ont signé un nouveau calendrier d'études techniques. Les travaux ne "
        "commenceraient pas avant la prochaine décennie.",
    ),
    # egypt
    (
        "egypt",
        "Egypt's inflation eases for a third month",
        "Annual urban inflation slowed in October, the statistics agency said, giving the "
        "central bank room to cut interest rates again.",
    ),
    (
        "egypt",
        "Le Caire inaugure une nouvelle ligne de monorail",
        "Les autorités égyptiennes ont mis en service le premier tronçon reliant la capitale à "
        "la nouvelle capitale administrative.",
    ),
    # sahel
    (
        "sahel",
        "Mali's junta extends the transition by five years",
        "General Assimi Goita will stay in power until at least 2030 under a decree read on "
        "state television in Bamako.",
    ),
    (
        "sahel",
        "Niger : le général Tiani reçoit une délégation russe à Niamey",
        "Les deux parties ont évoqué la coopération minière et militaire, selon la présidence "
        "nigérienne.",
    ),
    (
        "sahel",
        "Burkina Faso : le JNIM revendique une attaque près de Djibo",
        "Le groupe jihadiste affirme avoir visé un poste de l'armée burkinabè.",
    ),
    # north-africa-security
    (
        "north-africa-security",
        "Le ministre de la Défense tunisien reçoit une délégation américaine",
        "Les deux parties ont évoqué la coopération militaire et la sécurité des frontières "
        "avec la Libye.",
    ),
    (
        "north-africa-security",
        "Algerian army kills three militants near the Mali border",
        "Soldiers also seized weapons and ammunition in the Tamanrasset military region, the "
        "defence ministry said.",
    ),
    (
        "north-africa-security",
        "Egyptian army says it foiled an attack in North Sinai",
        "Troops killed four gunmen who tried to storm a checkpoint near El Arish, a military "
        "spokesman said.",
    ),
    (
        "north-africa-security",
        "Morocco and the United States open the African Lion exercise",
        "Thousands of soldiers from a dozen countries take part in the drills near Agadir and "
        "Tan-Tan.",
    ),
    # mediterranean-migration
    (
        "mediterranean-migration",
        "Boat carrying migrants capsizes off Lampedusa",
        "At least twelve people are missing after a small boat that left Sfax overturned in "
        "rough seas, Italy's coast guard said.",
    ),
    (
        "mediterranean-migration",
        "Sfax : les garde-côtes interceptent 300 migrants en une nuit",
        "Les unités maritimes tunisiennes ont arrêté plusieurs embarcations qui tentaient de "
        "rejoindre les côtes italiennes.",
    ),
    (
        "mediterranean-migration",
        "EU and Tunisia agree on new migration funding",
        "Brussels will pay for more patrol boats and for returns of migrants who reached "
        "Tunisia on their way to Europe.",
    ),
]

# (slug, title, body): each article must not match the topic
NEGATIVES = [
    ("tunisia", "Burgundy harvest starts early", HARVEST + "One buyer also visited Tunisia."),
    (
        "tunisia",
        "Les vendanges commencent tôt en Bourgogne",
        "La chaleur d'août a concentré les raisins. Les coopératives demandent de l'aide. "
        "Les prix devraient encore monter à l'automne. Les acheteurs asiatiques sont moins "
        "nombreux. Les négociants restent prudents. Un courtier revient de Tunisie.",
    ),
    (
        "libya",
        "Protests over power cuts in Tripoli, Lebanon",
        "Residents of the northern Lebanese city blocked roads for a second day as outages "
        "reached twenty hours a day.",
    ),
    (
        "libya",
        "Le Liberia organise des élections locales",
        "Les électeurs libériens se rendent aux urnes dans un calme relatif.",
    ),
    (
        "algeria",
        "Algae bloom closes a lake to swimmers",
        "Health officials in Ontario warned that the algal bloom could last into October.",
    ),
    (
        "algeria",
        "Marseille : le port bat un record de trafic de conteneurs",
        "Le grand port a traité plus de boîtes que jamais. Les investissements paient. "
        "La direction vise de nouvelles lignes vers l'Asie. Les syndicats saluent les "
        "embauches. Les riverains s'inquiètent du bruit. Un ferry part chaque soir vers Alger.",
    ),
    (
        "morocco",
        "Maroon 5 adds a second night in Las Vegas",
        "The band will play two shows at the arena in March.",
    ),
    (
        "morocco",
        "La maroquinerie française porte les exportations du luxe",
        "Les sacs et les accessoires en cuir affichent une croissance à deux chiffres.",
    ),
    (
        "egypt",
        "Mount Sinai study links sleep to heart health",
        "Researchers at the New York hospital followed 4,000 adults for ten years.",
    ),
    (
        "egypt",
        "Gaza : les secouristes cherchent des survivants dans les décombres",
        "Les frappes se sont poursuivies toute la nuit. Les hôpitaux manquent de carburant. "
        "Les agences de l'ONU demandent un accès sans entrave. Les familles fuient vers le sud. "
        "Les pourparlers de trêve n'avancent pas. Une médiation de l'Égypte est évoquée.",
    ),
    (
        "sahel",
        "Drought pushes Somalia to the brink of famine",
        "Aid agencies in Mogadishu said more than a million people have left their homes.",
    ),
    (
        "sahel",
        "Nigeria : des pluies diluviennes inondent le delta du Niger",
        "Des milliers d'habitants de Port Harcourt ont été évacués.",
    ),
    (
        "sahel",
        "Chad Johnson signs a two-year deal with Denver",
        "The veteran receiver passed his medical on Monday.",
    ),
    (
        "sahel",
        "L'Étoile du Sahel s'impose face à l'Espérance",
        "Les Sahéliens ont gagné 2-1 au stade olympique de Sousse.",
    ),
    (
        "north-africa-security",
        "Morocco beat Spain to reach the final",
        "Achraf Hakimi scored the winner as Morocco's defence held firm against a late Spanish "
        "attack. The Atlas Lions' secret weapon was their goalkeeper, who made six saves. "
        "Fans celebrated in Casablanca and Rabat long into the night.",
    ),
    (
        "north-africa-security",
        "Le Maroc domine l'Algérie en match amical",
        "La défense marocaine a tenu bon face aux attaques algériennes. Le coup franc de la "
        "deuxième période a fait la différence.",
    ),
    (
        "north-africa-security",
        "Tunisian olive oil exports head for a record",
        "Tunisia expects to ship more olive oil abroad this season after a large harvest "
        "around Sousse, the agriculture ministry said.",
    ),
    (
        "north-africa-security",
        "Des militants des droits humains arrêtés à Tunis",
        "Trois militants d'une association tunisienne ont été placés en garde à vue après un "
        "rassemblement devant le tribunal.",
    ),
    (
        "north-africa-security",
        "Ceasefire talks resume in Cairo as Israeli troops stay in Gaza",
        "Egypt and Qatar are mediating between Israel and Hamas. Israeli troops remain along "
        "the Egyptian border, officials said.",
    ),
    (
        "north-africa-security",
        "Egypt's IMF review hinges on the army's business empire",
        "The fund wants Egypt to sell stakes in army-owned companies. Economists say the "
        "military's firms crowd out private investors.",
    ),
    (
        "mediterranean-migration",
        "Small boats carry 600 migrants across the Channel in a day",
        "The Home Office said French patrols stopped several dinghies near Calais.",
    ),
    (
        "mediterranean-migration",
        "Migraine : un nouveau traitement remboursé",
        "Les patients souffrant de crises fréquentes pourront bénéficier du médicament.",
    ),
    (
        "mediterranean-migration",
        "Storks begin their migration across the Mediterranean",
        "Birdwatchers in Gibraltar counted thousands of white storks heading to Morocco.",
    ),
]


def test_every_pack_loads_in_canonical_order() -> None:
    assert tuple(TOPICS) == CANONICAL_ORDER
    for slug, topic in TOPICS.items():
        assert topic.slug == slug
        assert topic.name and topic.description and topic.query
    assert TOPICS["north-africa-security"].name == "North Africa security"
    assert TOPICS["tunisia"].name == "Tunisia"


@pytest.mark.parametrize(("slug", "title", "body"), POSITIVES, ids=lambda v: str(v)[:40])
def test_topic_matches_its_articles(slug: str, title: str, body: str) -> None:
    assert slug in matched(title, body)


@pytest.mark.parametrize(("slug", "title", "body"), NEGATIVES, ids=lambda v: str(v)[:40])
def test_topic_ignores_near_misses(slug: str, title: str, body: str) -> None:
    assert slug not in matched(title, body)


def test_every_topic_has_positives_and_negatives() -> None:
    for slug in CANONICAL_ORDER:
        assert sum(case[0] == slug for case in POSITIVES) >= 2, slug
        assert sum(case[0] == slug for case in NEGATIVES) >= 2, slug


def test_defence_minister_item_is_tunisia_and_security() -> None:
    topics = matched(
        "Le ministre de la Défense tunisien en visite dans le Sud",
        "Khaled Shtili a inspecté les unités déployées près de Remada.",
    )
    assert topics == ("tunisia", "north-africa-security")


def test_moroccan_football_is_morocco_only() -> None:
    assert matched(NEGATIVES[14][1], NEGATIVES[14][2]) == ("morocco",)


def test_passing_mentions_at_the_end_do_not_count_even_repeated() -> None:
    body = HARVEST + "One buyer visited Tunisia. Another is from Tunisia too."
    assert "tunisia" not in matched("Burgundy harvest starts early", body)


def test_a_country_the_story_keeps_coming_back_to_counts_outside_the_lead() -> None:
    paragraphs = [
        HARVEST,
        "Tunisia's olive growers face the same heat, and their harvest starts in October.",
        "Prices for bulk wine fell again. Exporters in Sfax expect a smaller crop than last year.",
        "Buyers said Tunisian oil would again be cheaper than Spanish oil this winter.",
    ]
    assert "tunisia" in matched("Burgundy harvest starts early", "\n\n".join(paragraphs))
    assert "tunisia" not in matched("Burgundy harvest starts early", "\n\n".join(paragraphs[:2]))


def test_security_story_in_several_countries_gets_every_topic_in_order() -> None:
    topics = matched(
        "Tunisia and Libya agree joint patrols at Ras Jedir",
        "Interior officials from both countries said border guards will patrol together "
        "against smuggling. Migrants crossing the desert will be stopped, they added.",
    )
    assert topics == ("tunisia", "libya", "north-africa-security")


def test_arabic_story_matches_security() -> None:
    topics = matched(
        "الجيش الجزائري يحجز أسلحة قرب الحدود",
        "أعلنت وزارة الدفاع الوطني حجز أسلحة وذخيرة في تمنراست.",
    )
    assert topics == ("algeria", "north-africa-security")


# --- loading and validation ---------------------------------------------------------------


def write_pack(folder: Path, stem: str, text: str) -> Path:
    path = folder / f"{stem}.toml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = 'slug = "{slug}"\nname = "Name"\ndescription = "Desc"\nquery = "{query}"\n'


def test_load_topics_from_another_folder_orders_canonical_then_alphabetical(
    tmp_path: Path,
) -> None:
    for slug in ("zeta", "libya", "alpha", "tunisia"):
        write_pack(tmp_path, slug, GOOD.format(slug=slug, query=slug))
    assert list(load_topics(tmp_path)) == ["tunisia", "libya", "alpha", "zeta"]


def test_topic_sort_key_puts_canonical_topics_first() -> None:
    slugs = ["zeta", "sahel", "alpha", "tunisia", "mediterranean-migration"]
    assert sorted(slugs, key=topic_sort_key) == [
        "tunisia",
        "sahel",
        "mediterranean-migration",
        "alpha",
        "zeta",
    ]


@pytest.mark.parametrize("key", ["slug", "name", "description", "query"])
def test_missing_key_names_file_and_key(tmp_path: Path, key: str) -> None:
    lines = GOOD.format(slug="alpha", query="alpha").splitlines()
    write_pack(tmp_path, "alpha", "\n".join(x for x in lines if not x.startswith(key)))
    with pytest.raises(ValueError, match=rf"^alpha\.toml: {key}: missing$"):
        load_topics(tmp_path)


def test_bad_query_names_file_and_position(tmp_path: Path) -> None:
    write_pack(tmp_path, "alpha", GOOD.format(slug="alpha", query="alpha AND (beta"))
    with pytest.raises(ValueError, match=r"^alpha\.toml: query: ") as caught:
        load_topics(tmp_path)
    assert 'unclosed "(" at position 10' in str(caught.value)
    assert isinstance(caught.value.__cause__, QueryError)


def test_bad_query_on_a_later_line_gives_line_and_column(tmp_path: Path) -> None:
    text = 'slug = "alpha"\nname = "A"\ndescription = "D"\nquery = """\nalpha\nOR beta )\n"""\n'
    write_pack(tmp_path, "alpha", text)
    with pytest.raises(ValueError, match=r"line 2, column 9 of the query"):
        load_topics(tmp_path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('slug = "alpha"\nname = ""\ndescription = "D"\nquery = "a"\n', "name: must be a non"),
        ('slug = "alpha"\nname = 3\ndescription = "D"\nquery = "a"\n', "name: must be a non"),
        ('slug = "beta"\nname = "B"\ndescription = "D"\nquery = "a"\n', "slug: 'beta' must be"),
        ('slug = "Alpha"\nname = "A"\ndescription = "D"\nquery = "a"\n', "slug: 'Alpha' must"),
        (
            'slug = "alpha"\nname = "A"\ndescription = "D"\nquery = "a"\nfeeds = []\n',
            "feeds: unknown key",
        ),
        ('slug = "alpha"\nname = "A\n', "cannot read the pack"),
    ],
)
def test_invalid_packs_are_refused(tmp_path: Path, text: str, message: str) -> None:
    write_pack(tmp_path, "alpha", text)
    with pytest.raises(ValueError, match=message) as caught:
        load_topics(tmp_path)
    assert str(caught.value).startswith("alpha.toml: ")


PLACES = """slug = "{slug}"
name = "Name"
description = "Desc"

[places.{slug}]
names = ["alpha*", "alpha city", "alpha-land"]
except = ["alpha border"]
[[places.{slug}.when]]
names = ["beta"]
with = ["alpha*"]
"""


def test_a_pack_of_places_needs_no_query_and_gets_one_written_from_them(tmp_path: Path) -> None:
    write_pack(tmp_path, "alpha", PLACES.format(slug="alpha"))
    write_pack(
        tmp_path, "theme", GOOD.format(slug="theme", query="strike*") + 'regions = ["alpha"]'
    )
    topics = load_topics(tmp_path)
    query = compile_query(topics["alpha"].query, max_length=PACK_MAX_LENGTH)
    assert query.matches(MatchDoc.build("Alpha city votes", ""))
    assert not query.matches(MatchDoc.build("Trucks queue at the alpha border", ""))
    assert match_topics("Alphans vote; Beta counts", "", topics) == ("alpha",)
    assert match_topics("Strikers march in Alphaville", "", topics) == ("alpha", "theme")
    assert match_topics("Strikers march near the alpha border", "", topics) == ()
    assert match_topics("Beta votes", "", topics) == ()  # beta counts only beside alpha


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[places.alpha]\nexcept = ["x"]\n', "places.alpha.names: missing"),
        ("[places.alpha]\nnames = []\n", "places.alpha.names: must be a non-empty list"),
        ('[places.alpha]\nnames = ["*"]\n', "is not a word"),
        ('[places.alpha]\nnames = ["a*"]\n', "prefix too short"),
        ("[places.alpha]\nnames = ['\"alpha\"']\n", "is not a word"),
        ('[places.alpha]\nnames = ["al*pha"]\n', "is not a word"),
        ('[places.alpha]\nnames = ["alpha"]\nfeeds = 1\n', "places.alpha.feeds: unknown key"),
        (
            '[places.alpha]\nnames = ["alpha"]\n[[places.alpha.when]]\nnames = ["b"]\n',
            "needs names and one of unless or with",
        ),
        ('regions = ["nowhere"]\n', "regions: 'nowhere' is no pack's place"),
        ("regions = 3\n", "regions: must be a list of place names"),
    ],
)
def test_invalid_places_are_refused(tmp_path: Path, text: str, message: str) -> None:
    head = 'slug = "alpha"\nname = "A"\ndescription = "D"\nquery = "a"\n'
    write_pack(tmp_path, "alpha", head + text)
    with pytest.raises(ValueError, match=message) as caught:
        load_topics(tmp_path)
    assert str(caught.value).startswith("alpha.toml: ")


THEMED = """slug = "theme"
name = "Theme"
description = "Desc"
theme = ["words"]
query = "(alpha* AND @words) OR zeta"

[terms.words]
names = ["strike*", "riot", "tear gas"]
except = ["lucky strike"]
"""


def test_a_list_of_terms_stands_in_the_query_and_its_mentions_are_pooled(tmp_path: Path) -> None:
    write_pack(tmp_path, "theme", THEMED)
    topics = load_topics(tmp_path)
    assert '"strike*"' in topics["theme"].query and "@" not in topics["theme"].query
    lead = "Alphaville is calm. The mayor spoke. "
    filler = "The council met. " * 12
    once = f"{lead}{filler}A strike closed the port. {filler}"
    assert match_topics("Alphaville", once, topics) == ()  # one theme word, once
    pooled = f"{once}Police fired tear gas. {filler}A riot followed. {filler}"
    assert match_topics("Alphaville", pooled, topics) == ("theme",)
    assert match_topics("Alphaville", pooled.replace("A strike", "A lucky strike"), topics) == ()


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("@words", "@nothing", "query: @nothing is no list of the pack's"),
        ('theme = ["words"]', 'theme = ["nothing"]', "theme: must be a list of the pack's"),
        ('names = ["strike*", "riot", "tear gas"]', "names = 3", "terms.words.names: must be"),
    ],
)
def test_invalid_terms_are_refused(tmp_path: Path, old: str, new: str, message: str) -> None:
    write_pack(tmp_path, "theme", THEMED.replace(old, new))
    with pytest.raises(ValueError, match=message) as caught:
        load_topics(tmp_path)
    assert str(caught.value).startswith("theme.toml: ")


def test_places_and_terms_share_the_pack_term_limit(tmp_path: Path) -> None:
    names = ", ".join(f'"name{n}"' for n in range(PACK_MAX_TERMS + 1))
    write_pack(tmp_path, "alpha", PLACES.format(slug="alpha").replace('"alpha city"', names))
    with pytest.raises(ValueError, match=r"^alpha\.toml: places and terms: too many names"):
        load_topics(tmp_path)


def test_shipped_packs_keep_their_places_and_terms_within_the_limit() -> None:
    for topic in TOPICS.values():
        assert isinstance(topic, TopicPack)
        assert sum(place.term_count for place in topic.places) > 0, topic.slug


def test_a_place_is_defined_by_one_pack_only(tmp_path: Path) -> None:
    write_pack(tmp_path, "alpha", PLACES.format(slug="alpha"))
    write_pack(tmp_path, "beta", PLACES.format(slug="beta").replace("places.beta", "places.alpha"))
    with pytest.raises(ValueError, match=r"^beta\.toml: places\.alpha: already defined"):
        load_topics(tmp_path)


# (anchor passages, where first, most-mentioned other place, expected)
SALIENCE = [
    (1, "title", 9, True),  # the title always counts
    (1, "lead", 0, True),  # a single mention in the lead of a story naming no other place
    (1, "lead", 1, False),  # ... but not beside another place
    (2, "lead", 5, True),  # named in the lead and again, holding its own
    (2, "lead", 6, False),  # ... dwarfed by the place the story is about
    (2, "body", 0, False),  # two mentions further down are passing mentions
    (3, "body", 4, True),  # the story keeps coming back to it
    (3, "body", 5, False),  # ... but is about another place
    (0, "title", 0, False),
]


@pytest.mark.parametrize(("count", "where", "rival", "expected"), SALIENCE)
def test_salience_rule(count: int, where: str, rival: int, expected: bool) -> None:
    doc = MatchDoc.build("three title words", "four words of lead. " * 2 + "body " * 50)
    first = {"title": 1, "lead": doc.title_length + 1, "body": doc.focus_length + 1}[where]
    assert salient(Presence(count, first if count else -1, count), rival, doc) is expected


@pytest.mark.parametrize(("rival", "expected"), [(0, True), (1, True), (2, False)])
def test_two_names_in_one_lead_passage_count_when_no_other_place_recurs(
    rival: int, expected: bool
) -> None:
    doc = MatchDoc.build("three title words", "four words of lead. " * 2 + "body " * 50)
    anchor = Presence(1, doc.title_length + 1, names=2)  # "Algerian President Tebboune"
    assert salient(anchor, rival, doc) is expected


def test_names_close_together_are_one_passage() -> None:
    assert presence([{3, 5, 8}]).count == 1  # "Mali, Burkina Faso and Niger"
    assert presence([{3}, {5}, {40}]).count == 2
    assert presence([]).count == 0


def test_empty_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no topic packs"):
        load_topics(tmp_path)


def test_shipped_packs_fit_the_pack_limits_and_user_watches_stay_strict() -> None:
    for topic in TOPICS.values():
        query = compile_query(topic.query, max_length=PACK_MAX_LENGTH, max_terms=PACK_MAX_TERMS)
        assert query.term_count > 0
    with pytest.raises(QueryError, match="query too long"):
        compile_query(TOPICS["north-africa-security"].query)


def test_match_topics_with_no_topics_or_custom_topics() -> None:
    assert match_topics("Tunisia", "", {}) == ()
    custom = {
        "zeta": Topic("zeta", "Zeta", "d", "tunis*"),
        "libya": Topic("libya", "Libya", "d", "liby*"),
        "alpha": Topic("alpha", "Alpha", "d", "tunis*"),
    }
    title = "Tunisia and Libya"
    assert match_topics(title, "", custom) == ("libya", "alpha", "zeta")


# --- near-misses and deals: each case gives the exact topics expected -------------------------

# (title, body, topics)
SCENARIOS = [
    # the lead is the first paragraph: a port named in the second one is a passing mention
    (
        "Hundreds of migrants land on Lampedusa overnight",
        "About 900 people reached the Italian island of Lampedusa on some forty small boats "
        "between Saturday evening and Sunday morning.\n\nMost had set off from beaches near the "
        "Tunisian city of Sfax, the Italian Red Cross said.",
        ("mediterranean-migration",),
    ),
    (
        "Algérie : le président Tebboune gracie un journaliste emprisonné",
        "Le président algérien a accordé jeudi sa grâce à un journaliste détenu depuis deux ans, "
        "selon un communiqué de la présidence.\n\nLe journaliste avait été condamné pour des "
        "articles sur la gestion des frontières et sur la situation économique.",
        ("algeria",),
    ),
    # a neighbour named as a landmark, a departure point or a nationality is not the story
    (
        "Mali's army says it repelled an attack near the Algerian border",
        "Malian soldiers drove back jihadist fighters who attacked a camp in the Kidal region near "
        "the Algerian border on Tuesday, the army said.\n\nJNIM claimed the raid.",
        ("sahel",),
    ),
    (
        "Mali : l'armée repousse une attaque près de la frontière algérienne",
        "L'armée malienne affirme avoir repoussé mardi une attaque jihadiste contre un camp "
        "militaire de la région de Kidal, près de la frontière algérienne.\n\nLe JNIM a revendiqué "
        "l'opération.",
        ("sahel",),
    ),
    (
        "Dozens missing after migrant boat sinks south of Crete",
        "Dozens of people are missing after a fishing boat that had sailed from Libya towards "
        "Italy sank south of Crete, the Greek coast guard said on Friday.\n\nThe 57 survivors "
        "included Egyptian nationals and Syrians. Police arrested two Egyptian men suspected of "
        "steering the boat.",
        ("mediterranean-migration",),
    ),
    (
        "Salah double sends Liverpool top of the league",
        "Egyptian forward Mohamed Salah scored twice as Liverpool beat Chelsea 2-0 at Anfield on "
        "Sunday.\n\nThe win lifts the side three points clear at the top.",
        (),
    ),
    (
        "Ligue 1 : le PSG s'impose à Lens",
        "Le défenseur marocain Achraf Hakimi a ouvert le score dès la dixième minute et le Paris "
        "Saint-Germain s'est imposé 2-0 à Lens samedi.\n\nLes Parisiens comptent six points "
        "d'avance.",
        (),
    ),
    (
        "Algerian army arrests suspects near the border with Mali",
        "Soldiers of the Algerian army arrested four people suspected of supplying armed groups "
        "near the border with Mali, the defence ministry said.\n\nThey seized rifles and "
        "ammunition in the Tamanrasset military region.",
        ("algeria", "north-africa-security"),
    ),
    (
        "Algerian border guards seize three tonnes of cannabis",
        "Algerian border guards seized the drugs in the far west of the country on Monday, the "
        "defence ministry said, and arrested two smugglers.",
        ("algeria", "north-africa-security"),
    ),
    (
        "Refugees fleeing Darfur reach the Chadian border",
        "Thousands of people fleeing fighting around El Fasher have reached the Chadian border "
        "after walking for days, aid agencies said.\n\nThe Rapid Support Forces took the city "
        "last week.",
        (),
    ),
    (
        "Troops kill six gunmen in North Sinai",
        "Soldiers killed six gunmen near El Arish on Monday, a military spokesman said.\n\nThe "
        "operation came days after an attack on a checkpoint on the road to Mount Sinai.",
        ("egypt", "north-africa-security"),
    ),
    # Western Sahara: the conflict at stake is security, a recognition alone is not
    (
        "UN Security Council extends Western Sahara mission for a year",
        "The Security Council renewed the mandate of MINURSO, the UN peacekeeping mission in "
        "Western Sahara, on Thursday.\n\nThe Polisario Front criticised the text and Rabat "
        "welcomed it.",
        ("morocco", "north-africa-security"),
    ),
    (
        "Sahara occidental : le Conseil de sécurité prolonge la Minurso",
        "Le Conseil de sécurité de l'ONU a prolongé jeudi d'un an le mandat de la mission de "
        "l'ONU au Sahara occidental.\n\nLe Front Polisario a rejeté le texte.",
        ("morocco", "north-africa-security"),
    ),
    (
        "Washington reaffirms recognition of Moroccan sovereignty over Western Sahara",
        "The United States reaffirmed its support for Morocco's autonomy plan on Tuesday after a "
        "call between the two foreign ministers.\n\nNasser Bourita thanked Washington.",
        ("morocco",),
    ),
    (
        "L'Espagne réaffirme son soutien au plan d'autonomie marocain",
        "Madrid a réaffirmé mercredi que le plan d'autonomie proposé par Rabat pour le Sahara "
        "occidental était la base la plus sérieuse pour régler le différend.\n\nLe Maroc a salué "
        "cette position.",
        ("morocco",),
    ),
    # migration deals between Europe and a North African state
    (
        "EU and Egypt sign partnership that includes migration funding",
        "The European Union signed a strategic partnership with Egypt in Cairo on Sunday, with "
        "loans and grants meant to steady the economy and curb departures towards Europe.\n\n"
        "Part of the money will pay for border surveillance.",
        ("egypt", "north-africa-security", "mediterranean-migration"),
    ),
    (
        "L'UE et la Tunisie signent un mémorandum sur la migration",
        "L'Union européenne et la Tunisie ont signé dimanche un mémorandum d'entente qui prévoit "
        "des fonds pour la surveillance des frontières et la lutte contre les passeurs.\n\n"
        "Bruxelles promet aussi une aide budgétaire.",
        ("tunisia", "north-africa-security", "mediterranean-migration"),
    ),
    (
        "EU and Morocco sign green hydrogen partnership",
        "The European Union and Morocco signed a partnership on renewable energy and green "
        "hydrogen in Rabat on Monday.\n\nBrussels will support new solar farms.",
        ("morocco",),
    ),
    (
        "Italian and Tunisian interior ministers discuss irregular migration",
        "Italy's interior minister met his Tunisian counterpart in Tunis on Monday to discuss "
        "irregular migration across the Mediterranean and the fight against smugglers.\n\nThe two "
        "men welcomed a fall in departures and agreed to expand voluntary returns.",
        ("tunisia", "north-africa-security", "mediterranean-migration"),
    ),
    # the Atlantic route to the Canary Islands is not the Mediterranean
    (
        "Migrant arrivals in the Canary Islands hit a new record",
        "More than 40,000 migrants reached Spain's Canary Islands by boat this year, the interior "
        "ministry said.\n\nMost boats left Senegal, Mauritania and southern Morocco for the "
        "Atlantic crossing.",
        (),
    ),
    (
        "Canaries : nouveau record d'arrivées de migrants",
        "Plus de 40 000 migrants ont atteint les îles Canaries en bateau cette année, selon le "
        "ministère espagnol de l'Intérieur.\n\nLa plupart des pirogues étaient parties du Sénégal "
        "et de Mauritanie, sur la route atlantique.",
        (),
    ),
    (
        "Hundreds of migrants reach Ceuta by sea",
        "Hundreds of migrants swam or paddled from nearby beaches to the Spanish enclave of "
        "Ceuta overnight, Spanish authorities said.\n\nThe Spanish coast guard picked up several "
        "boats and Moroccan police stopped others. Arrivals in the Canary Islands, by contrast, "
        "fell this month.",
        ("mediterranean-migration",),
    ),
    # reception and detention on the northern shore
    (
        "Italie : des migrants transférés vers les centres en Albanie",
        "Rome a transféré mercredi un premier groupe de migrants vers les centres de rétention "
        "ouverts en Albanie, en vertu de l'accord conclu avec Tirana.\n\nDes ONG dénoncent un "
        "dispositif coûteux.",
        ("mediterranean-migration",),
    ),
    (
        "Spain gives legal status to undocumented migrant workers",
        "The Spanish government approved a plan to regularise about half a million migrants "
        "already living in the country.\n\nFarm and care employers welcomed the reform.",
        (),
    ),
    (
        "Germany extends checks to all its land borders",
        "Germany will check travellers at all its land borders from Monday to curb irregular "
        "migration, the interior ministry said.\n\nMigrants arriving from Austria will be turned "
        "back.",
        (),
    ),
]


@pytest.mark.parametrize(("title", "body", "topics"), SCENARIOS, ids=lambda v: str(v)[:40])
def test_scenarios_get_exactly_their_topics(title: str, body: str, topics: tuple[str, ...]) -> None:
    assert matched(title, body) == topics

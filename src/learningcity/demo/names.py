"""Names for the fictional city: districts, streets, people, organisations and their descriptions."""

from __future__ import annotations

from dataclasses import dataclass

CITY_NAME = "Villeneuve-sur-Loire"
CITY_SLUG = "demo"
CITY_LATITUDE = 47.39
CITY_LONGITUDE = 0.69
CITY_TIME_ZONE = "Europe/Paris"
EMAIL_DOMAIN = "demo.learningcity.test"  # .test is reserved (RFC 6761): these addresses can never receive mail
WEB_DOMAIN = "villeneuve.example"  # .example is reserved (RFC 2606)


@dataclass(frozen=True)
class DistrictName:
    """A district's name, its French "de" form, its grid cell and its population profile."""

    name: str
    of: str
    column: int
    row: int
    profile: str
    size: float


# Name lists read best as compact tables, so the formatter leaves them alone.
# fmt: off
# A 5 x 4 grid of quarters: the four corners are peripheral social-housing estates, the six inner
# cells make up the centre. Profiles drive the age structure (see population.py).
DISTRICTS: list[DistrictName] = [
    DistrictName("Les Hauts-de-Loire", "des Hauts-de-Loire", 0, 0, "estate", 1.35),
    DistrictName("Saint-Éloi", "de Saint-Éloi", 1, 0, "balanced", 0.95),
    DistrictName("La Chesnaie", "de la Chesnaie", 2, 0, "families", 1.0),
    DistrictName("Les Vignes", "des Vignes", 3, 0, "older", 0.85),
    DistrictName("Le Val-Fleuri", "du Val-Fleuri", 4, 0, "estate", 1.25),
    DistrictName("Les Tanneurs", "des Tanneurs", 0, 1, "families", 1.05),
    DistrictName("La Gare", "de la Gare", 1, 1, "balanced", 0.9),
    DistrictName("Centre-Ville", "du Centre-Ville", 2, 1, "older", 0.8),
    DistrictName("Les Halles", "des Halles", 3, 1, "students", 0.85),
    DistrictName("Bellevue", "de Bellevue", 4, 1, "families", 1.05),
    DistrictName("Le Faubourg", "du Faubourg", 0, 2, "balanced", 1.0),
    DistrictName("Les Rives", "des Rives", 1, 2, "balanced", 0.9),
    DistrictName("Cathédrale", "de la Cathédrale", 2, 2, "older", 0.75),
    DistrictName("Quartier Latin", "du Quartier Latin", 3, 2, "students", 0.9),
    DistrictName("Les Tilleuls", "des Tilleuls", 4, 2, "older", 1.0),
    DistrictName("La Croix-Blanche", "de la Croix-Blanche", 0, 3, "estate", 1.3),
    DistrictName("Le Campus", "du Campus", 1, 3, "students", 1.0),
    DistrictName("Les Jardins", "des Jardins", 2, 3, "families", 1.1),
    DistrictName("Beaulieu", "de Beaulieu", 3, 3, "balanced", 0.95),
    DistrictName("Les Peupliers", "des Peupliers", 4, 3, "estate", 1.3),
]

STREETS: list[str] = [
    "rue Nationale", "rue de la République", "avenue de la Gare", "quai de Loire", "rue Victor-Hugo",
    "rue Jean-Jaurès", "boulevard Pasteur", "rue des Tanneurs", "place du Marché", "rue du Commerce",
    "allée des Tilleuls", "rue Émile-Zola", "avenue du Général-de-Gaulle", "rue Paul-Bert", "rue des Écoles",
    "rue Colbert", "rue de la Paix", "rue des Jardins", "impasse des Lilas", "rue Jules-Ferry",
    "avenue des Platanes", "rue du Moulin", "rue de la Fontaine", "boulevard de la Liberté", "rue Voltaire",
    "rue des Prés", "chemin des Vignes", "rue Gambetta", "place de l'Église", "rue Louise-Michel",
    "avenue de l'Europe", "rue du Onze-Novembre", "rue des Peupliers", "rue Marie-Curie", "rue du Port",
    "boulevard Thiers", "rue de la Croix-Blanche", "rue des Mariniers", "rue Rabelais", "rue George-Sand",
]

PEOPLE: list[str] = [
    "Jean-Moulin", "Marie-Curie", "Jules-Ferry", "Victor-Hugo", "Simone-Veil", "Louise-Michel", "Paul-Bert",
    "Jean-Jaurès", "George-Sand", "Rabelais", "Ronsard", "Balzac", "Descartes", "Condorcet", "Jacques-Prévert",
    "Colette", "Albert-Camus", "Olympe-de-Gouges", "Gisèle-Halimi", "Jean-Zay", "Joséphine-Baker",
    "Lucie-Aubrac", "Germaine-Tillion", "Saint-Exupéry", "Léonard-de-Vinci", "Paul-Langevin", "Anatole-France",
    "Camille-Claudel", "Aimé-Césaire", "Marcel-Pagnol",
]

SURNAMES: list[str] = [
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
    "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier",
    "Morel", "Girard", "André", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez", "Legrand",
    "Garnier", "Faure", "Rousseau", "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Nicolas", "Perrin",
    "Benali", "Diallo", "Nguyen", "Haddad", "Traore", "Kovalenko", "Pereira", "Yilmaz", "Ferreira", "Chevalier",
]

FIRST_NAMES_F: list[str] = [
    "Camille", "Léa", "Manon", "Chloé", "Emma", "Inès", "Sarah", "Julie", "Nathalie", "Isabelle", "Sylvie",
    "Catherine", "Sophie", "Aïcha", "Fatou", "Yasmine", "Lucie", "Claire", "Monique", "Françoise", "Jeanne",
    "Amina", "Olena", "Marie", "Anne", "Élodie", "Louise", "Zoé", "Nadia", "Christine",
]

FIRST_NAMES_M: list[str] = [
    "Lucas", "Hugo", "Thomas", "Nicolas", "Julien", "Antoine", "Mehdi", "Karim", "Mamadou", "Pierre", "Jean",
    "Michel", "Philippe", "Alain", "Bernard", "Louis", "Gabriel", "Arthur", "Youssef", "Olivier", "Éric",
    "Patrick", "David", "Sébastien", "Maxime", "Théo", "Andriy", "Paulo", "Rachid", "Christophe",
]

SUBJECTS: list[str] = [
    "lettres", "sciences", "histoire", "langues étrangères", "informatique", "géographie", "sociologie",
    "biologie", "mathématiques", "droit", "économie", "arts plastiques",
]
TRADES: list[str] = [
    "de l'alimentation", "du bâtiment", "de l'automobile", "de la coiffure", "du commerce", "de l'hôtellerie",
]
SPORTS: list[str] = ["randonnée", "yoga", "gymnastique", "marche nordique", "tai-chi", "qi gong"]
CINEMAS: list[str] = ["Le Select", "Le Studio", "Le Méliès", "Le Rex", "Les Lumières"]
CARE_HOMES: list[str] = ["Les Glycines", "Les Acacias", "Le Clos Fleuri", "Les Charmilles", "La Roseraie"]

# Name templates per organisation type, each with the topics such a body would run ("" for any topic
# its type offers). {person}, {of}, {surname}, {subject}, {trade}, {sport}, {cinema} and {care_home}
# are filled in by places.py; a template without placeholders names a single body, used once.
ORGANISATION_NAMES: dict[str, list[tuple[str, str]]] = {
    "school": [
        ("École élémentaire {person}", ""), ("École maternelle {person}", ""), ("Collège {person}", ""),
        ("Lycée {person}", ""), ("Lycée professionnel {person}", ""), ("Groupe scolaire {person}", ""),
    ],
    "university": [
        ("Université de Villeneuve — UFR {subject}", ""), ("IUT de Villeneuve", ""),
        ("Institut de formation en soins infirmiers", "first-aid prior-learning trainer-training"),
        ("École supérieure d'art et de design", "drawing photography fablab"),
        ("Université du temps libre du Val de Loire", "history-talks foreign-languages astronomy"),
    ],
    "vocational": [
        ("GRETA Val de Loire — site {of}", ""), ("CFA des métiers {trade}", ""), ("AFPA Villeneuve", ""),
        ("Maison familiale rurale {of}", ""), ("École de la deuxième chance", "literacy cv-writing job-search"),
        ("Centre de formation {surname}", ""),
    ],
    "library": [("Médiathèque {of}", ""), ("Bibliothèque {person}", ""), ("Ludothèque {of}", "games storytime")],
    "museum": [
        ("Musée des Beaux-Arts", ""), ("Muséum d'histoire naturelle", "museum-visits science-kids nature-outings"),
        ("Musée du Compagnonnage", ""), ("Maison de la Loire", "nature-outings heritage-walks climate"),
        ("Musée de la Marine de Loire", ""), ("Écomusée {of}", ""),
        ("Centre d'interprétation de l'architecture et du patrimoine", "heritage-walks history-talks museum-visits"),
        ("Musée de l'École", ""), ("Musée de la Résistance et de la Déportation", "museum-visits history-talks"),
    ],
    "association": [
        ("Association Lire et Faire Lire", "reading-club storytime volunteering"),
        ("Les Petits Débrouillards Val de Loire", "science-kids coding-club astronomy"),
        ("Secours populaire — antenne {of}", "volunteering budget cooking-nutrition french-newcomers"),
        ("Amicale laïque {of}", ""), ("Croix-Rouge — unité locale {of}", "first-aid volunteering"),
        ("Repair Café {of}", "repair-cafe"), ("Jardins partagés {of}", "gardening nature-outings"),
        ("Accueil des villes françaises", "french-newcomers language-cafe civic-life"),
        ("Cafés des langues Val de Loire", "language-cafe foreign-languages"),
        ("Écrivains publics {of}", "online-admin literacy"), ("Vélo-Cité Villeneuve", "cycling"),
        ("Les Amis de la Loire", "nature-outings heritage-walks climate"),
        ("Association des familles {of}", "parenting homework-help games"),
        ("Solidarité numérique {of}", "digital-seniors online-admin digital-safety"),
        ("Tremplin Emploi {of}", "job-search cv-writing work-discovery"), ("Culture et Loisirs {of}", ""),
        ("Femmes relais {of}", "french-newcomers parenting online-admin"), ("Club photo {of}", "photography"),
        ("Chorale Voix de Loire", "choir"), ("Plume et Encre", "creative-writing reading-club"),
        ("Ciel de Loire — club d'astronomie", "astronomy"),
        ("Atelier d'arts plastiques {of}", "watercolour drawing pottery"),
        ("Accompagnement scolaire {of}", "homework-help"), ("Fresque et Climat Val de Loire", "climate"),
    ],
    "employer": [
        ("Boulangerie {surname}", ""), ("Garage {surname}", ""), ("Clinique du Val de Loire", ""),
        ("Centre hospitalier de Villeneuve", ""), ("Loire Logistique", ""), ("Imprimerie {surname}", ""),
        ("Transports urbains villeneuvois", ""), ("Menuiserie {surname} et fils", ""), ("Électricité {surname}", ""),
        ("Restaurant Chez {surname}", ""), ("EHPAD {care_home}", ""), ("Villeneuve Habitat", ""),
    ],
    "city_service": [
        ("Centre communal d'action sociale", "budget digital-seniors memory gentle-exercise online-admin"),
        ("Service jeunesse de la Ville", "youth-leadership civic-life work-discovery"),
        ("Maison de l'emploi et de la formation", "job-search cv-writing prior-learning business-creation"),
        ("Point information jeunesse", "youth-leadership cv-writing work-discovery"),
        ("Maison des associations", "volunteering trainer-training civic-life"),
        ("Mission locale du Val de Loire", "job-search cv-writing work-discovery"),
        ("Relais petite enfance {of}", "parenting early-music"),
        ("Archives municipales", "history-talks heritage-walks"),
        ("Service Ville d'art et d'histoire", "heritage-walks history-talks"),
        ("France services {of}", "online-admin budget digital-safety"),
    ],
    "community_centre": [
        ("Centre social {of}", ""), ("Maison de quartier {of}", ""), ("MJC {of}", ""),
        ("Espace de vie sociale {of}", ""), ("Maison pour tous {of}", ""),
    ],
    "online_platform": [
        ("Loire Numérique", "digital-safety office-software python-programming"),
        ("Apprendre en ligne Val de Loire", ""),
        ("Campus connecté de Villeneuve", "python-programming office-software english"),
        ("CodeLoire", "python-programming coding-club"), ("Langues en ligne Centre-Val de Loire", "english"),
        ("Emploi Connect Villeneuve", "cv-writing job-search office-software"),
    ],
    "cultural": [
        ("Théâtre municipal", "theatre"), ("Cinéma {cinema}", "cinema"),
        ("La Fabrique sonore", "instrument choir early-music"),
        ("Conservatoire de musique et de danse", "instrument dance choir early-music"),
        ("Centre d'art contemporain", "drawing watercolour photography"),
        ("Compagnie Les Tréteaux {of}", "theatre"), ("Orchestre d'harmonie de Villeneuve", "instrument"),
    ],
    "sports": [
        ("Union sportive villeneuvoise — section {sport}", "gentle-exercise"),
        ("Club de {sport} {of}", "gentle-exercise"), ("Randonneurs du Val de Loire", "gentle-exercise nature-outings"),
        ("Gymnastique volontaire {of}", "gentle-exercise"), ("Vélo Club villeneuvois", "cycling"),
        ("Échiquier villeneuvois", "games"), ("Danse et Forme {of}", "dance gentle-exercise"),
    ],
}

ORGANISATION_DESCRIPTIONS: dict[str, tuple[str, str]] = {
    "school": ("Établissement scolaire public du quartier {district}, ouvert sur son quartier et ses familles.",
               "Public school in the {district} district, open to its neighbourhood and its families."),
    "university": ("Établissement d'enseignement supérieur qui ouvre ses cours et conférences au grand public.",
                   "A higher education institution that opens its courses and lectures to the public."),
    "vocational": ("Organisme de formation professionnelle pour les jeunes, les salariés et les demandeurs "
                   "d'emploi.", "Vocational training provider for young people, employees and job seekers."),
    "library": ("Médiathèque municipale du quartier {district} : livres, jeux, films, ateliers numériques et "
                "heure du conte.", "Public library in the {district} district: books, games, films, digital "
                "workshops and story time."),
    "museum": ("Musée de la ville : collections permanentes, expositions, visites et ateliers pour tous les âges.",
               "City museum: permanent collections, exhibitions, tours and workshops for all ages."),
    "association": ("Association loi 1901 animée par des bénévoles, active dans le quartier {district}.",
                    "Not-for-profit association run by volunteers, active in the {district} district."),
    "employer": ("Entreprise du territoire qui forme ses salariés et accueille des apprentis et des stagiaires.",
                 "Local employer that trains its staff and takes on apprentices and trainees."),
    "city_service": ("Service de la Ville de Villeneuve-sur-Loire au service des habitants.",
                     "A City of Villeneuve-sur-Loire service for residents."),
    "community_centre": ("Lieu d'accueil et d'animation du quartier {district}, ouvert à tous les habitants.",
                         "A welcoming community centre in the {district} district, open to all residents."),
    "online_platform": ("Plateforme d'apprentissage en ligne, gratuite ou à petit prix, accessible depuis chez soi.",
                        "An online learning platform, free or low-cost, available from home."),
    "cultural": ("Lieu culturel qui propose spectacles, pratiques amateurs et actions d'éducation artistique.",
                 "A cultural venue offering performances, amateur practice and arts education."),
    "sports": ("Club sportif affilié à sa fédération, ouvert aux débutants comme aux confirmés.",
               "A sports club affiliated to its national federation, open to beginners and experienced members."),
}

# Opening hours in OpenStreetMap syntax, per organisation type ("" for venues without an organisation).
OPENING_HOURS: dict[str, list[str]] = {
    "school": ["Mo-Fr 08:00-18:00", "Mo,Tu,Th,Fr 08:15-16:45; We 08:15-12:00"],
    "university": ["Mo-Fr 08:00-20:00; Sa 08:00-12:00"],
    "vocational": ["Mo-Fr 08:00-17:30", "Mo-Th 08:30-17:30; Fr 08:30-16:00"],
    "library": ["Tu-Fr 13:00-18:30; We,Sa 10:00-18:00", "Tu,Th,Fr 14:00-19:00; We,Sa 10:00-12:30,14:00-18:00"],
    "museum": ["Tu-Su 10:00-18:00", "We-Su 14:00-18:00"],
    "association": ["Mo,We,Fr 14:00-18:00", "Tu,Th 09:00-12:00,14:00-17:00", ""],
    "employer": ["Mo-Fr 08:30-17:30", "Mo-Sa 07:00-19:00"],
    "city_service": ["Mo-Fr 08:30-12:30,13:30-17:00"],
    "community_centre": ["Mo-Fr 09:00-12:00,14:00-19:00; Sa 10:00-12:00", "Mo-Fr 09:00-19:00"],
    "online_platform": [""],
    "cultural": ["Tu-Sa 13:00-19:00; Su 14:00-18:00", "We-Sa 14:00-19:00"],
    "sports": ["Mo-Fr 17:00-22:00; Sa,Su 09:00-18:00"],
    "": ["Mo-Su 08:00-20:00", "24/7", "Mo-Sa 09:00-22:00", ""],
}

PUBLIC_VENUES: list[str] = [
    "Salle polyvalente {of}", "Salle des fêtes {of}", "Parc {of}", "Gymnase {person}", "Salle municipale {person}",
    "Maison des associations {of}",
]

# The two organisations whose staff get demo logins (see logins.DEMO_LOGINS): name, type, district.
ORGANISATION_A = ("Médiathèque des Rives", "library", "Les Rives")
ORGANISATION_B = ("Centre social de la Gare", "community_centre", "La Gare")
# fmt: on

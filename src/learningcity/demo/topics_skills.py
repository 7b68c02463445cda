"""Topic banks for digital skills, work, health, environment and citizenship, in French and English.

Formacode codes come from the Formacode v8 dictionary published with LHÉO; they are hard-coded so
the generator never reads reference files at run time.
"""

from __future__ import annotations

from learningcity.demo.vocabulary import TopicSpec, offer, topic

# Phrase banks read best as compact tables, so the formatter leaves them alone.
# fmt: off
DIGITAL: list[TopicSpec] = [
    topic(
        "digital-seniors", ("Numérique pour les seniors", "Digital skills for seniors"), parent="digital",
        formacode="46271", blocks="technologies inclusive",
        providers="library community_centre association city_service",
        learn=(
            ("On apprend à naviguer sur internet, envoyer des photos et utiliser sa messagerie en confiance.",
             "You learn to browse the web, send photos and use e-mail with confidence."),
            ("Chacun vient avec son appareil ; des tablettes sont prêtées à ceux qui n'en ont pas.",
             "Bring your own device; tablets are lent to those who do not have one."),
            ("Un conseiller numérique répond aux questions de chacun, sans jargon.",
             "A digital adviser answers everyone's questions, without jargon."),
        ),
        offers=(
            offer("Ateliers numériques pour seniors", "Digital skills workshops for seniors", "course", "seniors",
                  "60-120", weight=3.0),
            offer("Prendre en main sa tablette", "Getting started with your tablet", "workshop", "seniors",
                  "60-120", weight=2.0),
            offer("Garder le contact avec ses petits-enfants en visio", "Video calls with the grandchildren",
                  "workshop", "seniors", "65-120"),
            offer("Permanence numérique : une question, une réponse", "Digital drop-in: bring your questions", "club",
                  "adults seniors"),
        ),
    ),
    topic(
        "python-programming", ("Programmation Python", "Python programming"), parent="digital", formacode="31088",
        blocks="technologies workplace", providers="university online_platform association vocational",
        paid_share=0.4, prices=(20, 120, 250),
        learn=(
            ("On écrit ses premiers programmes : variables, boucles, fonctions et petits projets concrets.",
             "You write your first programs: variables, loops, functions and small practical projects."),
            ("Les exercices sont corrigés automatiquement et commentés par les formateurs.",
             "Exercises are checked automatically and reviewed by the tutors."),
        ),
        offers=(
            offer("Initiation à la programmation Python", "Introduction to Python programming", "course", "adults",
                  "15-120", weight=2.0),
            offer("Python pour l'analyse de données", "Python for data analysis", "online_course",
                  "adults employees", "18-120"),
            offer("Python en autonomie : les bases", "Python at your own pace: the basics", "self_paced", "adults",
                  "15-120", providers="online_platform"),
        ),
    ),
    topic(
        "coding-club", ("Code et robotique", "Coding and robotics"), parent="digital", formacode="30854",
        blocks="technologies families", providers="association library school community_centre",
        paid_share=0.2, prices=(5, 40),
        learn=(
            ("On crée des animations et des jeux en assemblant des blocs de code.",
             "You create animations and games by snapping blocks of code together."),
            ("Les projets sont présentés aux familles à la fin du trimestre.",
             "Projects are shown to families at the end of the term."),
        ),
        offers=(
            offer("Club de code pour les 8-12 ans", "Coding club for ages 8 to 12", "club", "children", "8-12",
                  weight=2.0),
            offer("Créer son premier jeu vidéo avec Scratch", "Make your first video game with Scratch", "workshop",
                  "children", "9-13"),
            offer("Goûter codé parents-enfants", "Family coding afternoon", "workshop", "families", "7-120"),
            offer("Hackathon jeunesse", "Youth hackathon", "festival_event", "young-people", "14-25"),
        ),
    ),
    topic(
        "online-admin", ("Démarches en ligne", "Online paperwork"), parent="digital",
        blocks="technologies inclusive", providers="city_service library community_centre association",
        learn=(
            ("On crée ses comptes en ligne et on apprend à retrouver et envoyer ses documents.",
             "You set up your online accounts and learn to find and send your documents."),
            ("Venez avec vos identifiants si vous en avez déjà, et un justificatif d'identité.",
             "Bring your log-in details if you already have them, and proof of identity."),
        ),
        offers=(
            offer("Démarches administratives en ligne", "Doing paperwork online", "workshop", "adults seniors",
                  "18-120", weight=2.0),
            offer("Créer ses comptes en ligne : impôts, santé, allocations",
                  "Setting up online accounts: tax, health, family benefits", "workshop", "adults newcomers",
                  "18-120"),
            offer("Permanence d'écrivain public numérique", "Digital public scribe drop-in", "club",
                  "adults newcomers seniors", "18-120"),
        ),
    ),
    topic(
        "office-software", ("Bureautique", "Office software"), parent="digital", formacode="30965",
        blocks="technologies workplace", providers="vocational online_platform community_centre employer",
        paid_share=0.3, prices=(60, 150, 290),
        learn=(
            ("On maîtrise la mise en page d'un document, les formules et les tableaux d'un tableur.",
             "You master document layout, formulas and tables in a spreadsheet."),
            ("Chaque notion est appliquée à un cas réel : budget, courrier, planning.",
             "Each skill is applied to a real case: a budget, a letter, a rota."),
        ),
        offers=(
            offer("Bureautique : traitement de texte et tableur", "Office skills: word processing and spreadsheets",
                  "course", "adults job-seekers", weight=2.0),
            offer("Le tableur pas à pas", "Spreadsheets step by step", "online_course", "adults employees"),
            offer("Certification Pix : évaluer et valoriser ses compétences numériques",
                  "Pix certification: assess and showcase your digital skills", "course", "job-seekers adults",
                  credential=("Certification Pix", "Pix digital skills certification")),
        ),
    ),
    topic(
        "digital-safety", ("Sécurité numérique", "Online safety"), parent="digital", formacode="31006",
        blocks="technologies families", providers="library city_service association online_platform",
        learn=(
            ("On apprend à repérer les messages frauduleux et à choisir de bons mots de passe.",
             "You learn to spot scam messages and to choose strong passwords."),
            ("Exemples réels à l'appui, on voit quoi faire si l'on s'est fait piéger.",
             "Using real examples, we go through what to do if you have been caught out."),
        ),
        offers=(
            offer("Se protéger des arnaques en ligne", "Protecting yourself from online scams", "talk",
                  "seniors adults", weight=2.0),
            offer("Mots de passe et sécurité numérique", "Passwords and online safety", "workshop", "adults"),
            offer("Parents : accompagner les ados sur les réseaux sociaux",
                  "Parents: helping teenagers on social media", "talk", "parents", "18-120"),
        ),
    ),
    topic(
        "fablab", ("Fabrication numérique", "Digital making"), parent="digital", formacode="24451",
        blocks="technologies culture", providers="association university community_centre",
        paid_share=0.5, prices=(5, 10, 20), hands_on=True,
        learn=(
            ("On modélise un objet simple puis on le fabrique avec les machines du fablab.",
             "You design a simple object on screen, then make it with the fab lab's machines."),
            ("Les règles de sécurité sont présentées avant toute utilisation des machines.",
             "Safety rules are explained before anyone uses the machines."),
        ),
        offers=(
            offer("Découverte de l'impression 3D", "Introduction to 3D printing", "workshop", "adults", "12-120"),
            offer("Fablab ouvert : fabriquer soi-même", "Open fab lab: make it yourself", "club", "adults",
                  "12-120"),
            offer("Découpe laser : créer un objet personnalisé", "Laser cutting: design your own object",
                  "workshop", "adults young-people", "14-120"),
        ),
    ),
]

WORK: list[TopicSpec] = [
    topic(
        "job-search", ("Recherche d'emploi", "Job search"), parent="work-training", formacode="15061",
        blocks="workplace inclusive", providers="city_service association community_centre vocational",
        learn=(
            ("Un conseiller aide à cibler les offres, à préparer les candidatures et à suivre ses démarches.",
             "An adviser helps you target job offers, prepare applications and keep track of them."),
            ("On s'entraîne aux entretiens avec des mises en situation filmées.",
             "You practise interviews through filmed role-plays."),
        ),
        offers=(
            offer("Accompagnement à la recherche d'emploi", "Job search support", "mentoring", "job-seekers",
                  "18-64", weight=3.0),
            offer("Atelier : préparer un entretien d'embauche", "Workshop: preparing for a job interview",
                  "workshop", "job-seekers", "16-64", weight=2.0),
            offer("Forum de l'emploi et de l'alternance", "Jobs and apprenticeship fair", "festival_event",
                  "job-seekers young-people", "16-64"),
            offer("Club des chercheurs d'emploi", "Job seekers' club", "club", "job-seekers", "18-64"),
        ),
    ),
    topic(
        "cv-writing", ("CV et candidatures", "CVs and applications"), parent="work-training", formacode="15081",
        blocks="workplace", providers="city_service association library online_platform community_centre",
        learn=(
            ("On rédige un CV clair et une lettre de motivation adaptée à chaque offre.",
             "You write a clear CV and a cover letter tailored to each job offer."),
            ("Chacun repart avec un CV relu et imprimé.",
             "Everyone leaves with a CV that has been checked and printed."),
        ),
        offers=(
            offer("Rédiger son CV et sa lettre de motivation", "Writing your CV and cover letter", "workshop",
                  "job-seekers young-people", "16-64", weight=3.0),
            offer("Soigner son profil professionnel en ligne", "Polishing your professional profile online",
                  "workshop", "job-seekers", "18-64"),
            offer("Mon premier CV", "My first CV", "workshop", "young-people", "15-25"),
        ),
    ),
    topic(
        "apprenticeships", ("Apprentissage", "Apprenticeships"), parent="work-training",
        blocks="workplace quality", providers="vocational employer",
        learn=(
            ("La formation se déroule en alternance entre un centre de formation et une entreprise d'accueil.",
             "Training alternates between a training centre and a host company."),
            ("L'apprenti est rémunéré et accompagné par un maître d'apprentissage.",
             "Apprentices are paid and supported by a workplace mentor."),
        ),
        offers=(
            offer("Apprentissage : CAP cuisine", "Apprenticeship: vocational certificate in cooking", "apprenticeship",
                  "young-people", "16-29", credential=("CAP Cuisine", "CAP vocational certificate in cooking")),
            offer("Apprentissage : CAP boulanger", "Apprenticeship: vocational certificate in baking",
                  "apprenticeship", "young-people", "16-29",
                  credential=("CAP Boulanger", "CAP vocational certificate in baking")),
            offer("Apprentissage : brevet professionnel électricien", "Apprenticeship: electrician diploma",
                  "apprenticeship", "young-people", "16-29",
                  credential=("Brevet professionnel électricien", "Vocational diploma in electrical work (BP)")),
            offer("Apprentissage : BTS management commercial", "Apprenticeship: higher diploma in retail management",
                  "apprenticeship", "young-people", "18-29",
                  credential=("BTS Management commercial opérationnel", "BTS higher diploma in retail management")),
            offer("Réunion d'information sur l'apprentissage", "Information meeting on apprenticeships", "talk",
                  "young-people parents", "15-120", weight=2.0),
        ),
    ),
    topic(
        "vocational-training", ("Formation qualifiante", "Vocational training"), parent="work-training",
        formacode="31845", blocks="workplace quality", providers="vocational employer",
        paid_share=0.2, prices=(250, 480, 900),
        learn=(
            ("La formation associe cours, plateau technique et stage en entreprise.",
             "The programme combines classes, hands-on practice and a work placement."),
            ("Elle peut être financée par France Travail, la Région ou le compte personnel de formation.",
             "It can be funded by France Travail, the Region or the personal training account."),
        ),
        offers=(
            offer("Formation qualifiante : agent de logistique", "Vocational course: logistics operative", "course",
                  "job-seekers", "18-64",
                  credential=("Titre professionnel Préparateur de commandes", "Professional title: order picker")),
            offer("Formation assistant de vie aux familles", "Family care assistant training", "course",
                  "job-seekers adults", "18-64",
                  credential=("Titre professionnel Assistant de vie aux familles",
                              "Professional title: family care assistant")),
            offer("Conduite de chariots élévateurs (CACES R489)", "Forklift driving (CACES R489)", "course",
                  "job-seekers employees", "18-64", credential=("CACES R489", "CACES R489 forklift certificate")),
            offer("Découverte des métiers du bâtiment", "Discover the building trades", "workshop",
                  "young-people job-seekers", "16-30"),
        ),
    ),
    topic(
        "business-creation", ("Création d'entreprise", "Starting a business"), parent="work-training",
        formacode="32047", blocks="workplace", providers="city_service association university",
        paid_share=0.2, prices=(30, 90),
        learn=(
            ("On passe de l'idée au projet : étude de marché, statut, prévisionnel.",
             "You move from idea to plan: market research, legal status, financial forecast."),
            ("Des entrepreneurs du territoire viennent témoigner.", "Local entrepreneurs come to share their story."),
        ),
        offers=(
            offer("Créer son entreprise : les premières étapes", "Starting a business: first steps", "workshop",
                  "adults job-seekers", "18-120"),
            offer("Parcours création d'entreprise", "Business start-up programme", "course", "adults job-seekers",
                  "18-120"),
            offer("Mentorat de jeunes entrepreneurs", "Mentoring for young entrepreneurs", "mentoring",
                  "young-people", "18-30"),
        ),
    ),
    topic(
        "work-discovery", ("Découverte des métiers", "Discovering jobs"), parent="work-training",
        formacode="15084", blocks="workplace inclusive", providers="employer city_service association school",
        learn=(
            ("Des professionnels présentent leur métier, leur parcours et leur quotidien.",
             "Professionals talk about their job, their career path and their working day."),
            ("C'est l'occasion de poser toutes ses questions et de se constituer un réseau.",
             "It is a chance to ask every question you have and to start building a network."),
        ),
        offers=(
            offer("Parrainage vers l'emploi", "Job mentoring scheme", "mentoring", "job-seekers young-people",
                  "18-30", weight=2.0),
            offer("Un café avec un professionnel", "Coffee with a professional", "talk", "young-people", "16-25"),
            offer("Stage d'observation de 3e", "Year 10 work experience week", "apprenticeship", "young-people",
                  "14-15", providers="employer"),
        ),
    ),
    topic(
        "prior-learning", ("Validation des acquis", "Accreditation of prior learning"), parent="work-training",
        formacode="15081", blocks="quality workplace", providers="vocational city_service university",
        learn=(
            ("On fait le point sur son expérience pour viser un diplôme ou une nouvelle orientation.",
             "You take stock of your experience to aim for a qualification or a new direction."),
            ("Un accompagnateur aide à rédiger le dossier et à préparer le jury.",
             "A coach helps you write your portfolio and prepare for the panel."),
        ),
        offers=(
            offer("Validation des acquis de l'expérience : réunion d'information",
                  "Accreditation of prior experience: information session", "talk", "adults employees", "18-120"),
            offer("Accompagnement VAE", "Support through accreditation of prior experience", "mentoring",
                  "adults employees", "18-120"),
            offer("Bilan de compétences", "Skills assessment", "mentoring", "employees adults", "18-64"),
        ),
    ),
    topic(
        "trainer-training", ("Formation de formateurs", "Training the trainers"), parent="work-training",
        formacode="44542", blocks="quality inclusive", providers="city_service association university",
        learn=(
            ("On apprend à préparer une séance, à animer un groupe et à évaluer les progrès.",
             "You learn to plan a session, lead a group and assess progress."),
            ("Les échanges de pratiques entre structures sont au cœur de la formation.",
             "Sharing practice between organisations is at the heart of the training."),
        ),
        offers=(
            offer("Formation des bénévoles formateurs", "Training for volunteer tutors", "course", "adults",
                  "18-120"),
            offer("Animer un atelier numérique", "Running a digital skills workshop", "workshop",
                  "adults employees", "18-120"),
            offer("Accueillir des apprenants en situation de handicap", "Welcoming disabled learners", "workshop",
                  "employees adults", "18-120"),
            offer("Rencontres des acteurs éducatifs de la ville", "City forum of learning providers",
                  "festival_event", "adults employees", "18-120", providers="city_service"),
        ),
    ),
]

HEALTH: list[TopicSpec] = [
    topic(
        "first-aid", ("Premiers secours", "First aid"), parent="health-wellbeing", formacode="42826",
        blocks="families workplace", providers="association vocational employer city_service",
        paid_share=0.5, prices=(30, 60, 90),
        learn=(
            ("On apprend à protéger, alerter et pratiquer les gestes qui sauvent, dont le massage cardiaque.",
             "You learn to protect, raise the alarm and carry out life-saving actions, including CPR."),
            ("La formation est très pratique, sur mannequins et en mises en situation.",
             "The training is very hands-on, with manikins and role-plays."),
        ),
        offers=(
            offer("Prévention et secours civiques de niveau 1 (PSC1)", "Civic first aid level 1 (PSC1)", "course",
                  "adults young-people", "10-120", credential=("Certificat PSC1", "PSC1 first aid certificate"),
                  weight=2.0),
            offer("Sauveteur secouriste du travail (SST)", "Workplace first aider (SST)", "course", "employees",
                  "18-64", credential=("Certificat SST", "SST workplace first aid certificate")),
            offer("Gestes qui sauvent", "Life-saving skills", "workshop", "adults families", "10-120"),
            offer("Premiers secours pour les parents de jeunes enfants", "First aid for parents of young children",
                  "workshop", "parents", "18-120"),
        ),
        hands_on=True,
    ),
    topic(
        "cooking-nutrition", ("Cuisine et alimentation", "Cooking and nutrition"), parent="health-wellbeing",
        formacode="43070", blocks="families", providers="community_centre association city_service",
        paid_share=0.3, prices=(3, 5, 8), hands_on=True,
        learn=(
            ("On cuisine ensemble des recettes simples, de saison et économiques.",
             "We cook simple, seasonal and affordable recipes together."),
            ("Le repas préparé est partagé à la fin de l'atelier.", "The meal is shared at the end of the workshop."),
        ),
        offers=(
            offer("Cuisine anti-gaspi", "Zero-waste cooking", "workshop", "adults", "12-120", weight=2.0),
            offer("Bien manger avec un petit budget", "Eating well on a budget", "workshop", "families adults"),
            offer("Cuisine du monde en famille", "World cooking for families", "workshop", "families", "6-120"),
            offer("Nutrition et activité physique après 60 ans", "Nutrition and exercise after 60", "talk",
                  "seniors", "60-120"),
        ),
    ),
    topic(
        "gentle-exercise", ("Activité physique douce", "Gentle exercise"), parent="health-wellbeing",
        formacode="15452", blocks="families", providers="sports association community_centre city_service",
        paid_share=0.5, prices=(4, 60, 95), hands_on=True,
        learn=(
            ("Des exercices adaptés pour garder souplesse, équilibre et tonus.",
             "Exercises adapted to keep you supple, balanced and strong."),
            ("L'éducateur sportif adapte chaque mouvement aux capacités de chacun.",
             "The coach adapts every movement to each person's abilities."),
        ),
        offers=(
            offer("Gym douce pour seniors", "Gentle exercise for seniors", "course", "seniors", "60-120", weight=2.0),
            offer("Prévention des chutes : l'équilibre en mouvement", "Falls prevention: balance in motion",
                  "course", "seniors", "70-120"),
            offer("Yoga pour débutants", "Yoga for beginners", "course", "adults"),
            offer("Marche nordique", "Nordic walking", "club", "adults seniors"),
            offer("Yoga parents-enfants", "Parent and child yoga", "workshop", "families", "3-120"),
        ),
    ),
    topic(
        "memory", ("Mémoire", "Memory"), parent="health-wellbeing", formacode="15096",
        blocks="families inclusive", providers="community_centre city_service library association",
        learn=(
            ("Exercices ludiques et astuces pour entretenir sa mémoire au quotidien.",
             "Fun exercises and tips to keep your memory in shape every day."),
            ("On comprend comment fonctionne la mémoire et ce qui l'aide.",
             "You find out how memory works and what helps it."),
        ),
        offers=(
            offer("Atelier mémoire", "Memory workshop", "course", "seniors", "60-120", weight=2.0),
            offer("Jeux de mémoire et de logique", "Memory and logic games", "club", "seniors", "60-120"),
            offer("Conférence : bien vieillir", "Talk: ageing well", "talk", "seniors adults", "50-120"),
        ),
    ),
]

ENVIRONMENT: list[TopicSpec] = [
    topic(
        "gardening", ("Jardinage", "Gardening"), parent="environment-daily-life", formacode="15039",
        blocks="families culture", providers="association community_centre city_service school",
        hands_on=True,
        learn=(
            ("Semis, paillage, compost : on apprend à jardiner sans produits chimiques.",
             "Sowing, mulching, composting: you learn to garden without chemicals."),
            ("Les récoltes sont partagées entre les participants.", "The harvest is shared among participants."),
        ),
        offers=(
            offer("Jardinage au naturel", "Natural gardening", "workshop", "adults", "12-120", weight=2.0),
            offer("Jardin partagé : ateliers de saison", "Community garden: seasonal workshops", "club",
                  "families adults", "6-120"),
            offer("Un potager sur son balcon", "A vegetable garden on your balcony", "workshop", "adults"),
            offer("Les petites mains vertes", "Little green fingers", "workshop", "children", "5-10"),
        ),
    ),
    topic(
        "repair-cafe", ("Réparation et réemploi", "Repair and reuse"), parent="environment-daily-life",
        formacode="15029", blocks="families culture", providers="association community_centre",
        hands_on=True,
        learn=(
            ("Des bénévoles bricoleurs aident à diagnostiquer et réparer ses objets du quotidien.",
             "Volunteer fixers help you diagnose and repair everyday objects."),
            ("On apprend les bons gestes pour que ses objets durent plus longtemps.",
             "You learn the right habits to make your things last longer."),
        ),
        offers=(
            offer("Repair café", "Repair café", "club", "adults", "12-120", weight=3.0),
            offer("Réparer son petit électroménager", "Fixing small household appliances", "workshop", "adults",
                  "14-120"),
            offer("Couture : réparer ses vêtements", "Sewing: mending your clothes", "workshop", "adults",
                  "12-120"),
        ),
    ),
    topic(
        "cycling", ("Vélo", "Cycling"), parent="environment-daily-life", formacode="23635",
        blocks="families inclusive", providers="association sports city_service",
        hands_on=True,
        learn=(
            ("On apprend à tenir en équilibre, à circuler en sécurité et à entretenir son vélo.",
             "You learn to balance, to ride safely in traffic and to look after your bike."),
            ("Vélos et casques sont prêtés pendant les séances.", "Bikes and helmets are lent during sessions."),
        ),
        offers=(
            offer("Vélo-école pour adultes", "Cycling school for adults", "course", "adults newcomers", weight=2.0),
            offer("Réparer son vélo", "Fix your bike", "workshop", "adults", "12-120"),
            offer("Savoir rouler à vélo", "Learning to ride safely", "course", "children", "6-11"),
        ),
    ),
    topic(
        "climate", ("Climat et transition", "Climate and transition"), parent="environment-daily-life",
        formacode="12556", blocks="culture families", providers="association city_service university library",
        learn=(
            ("On comprend les causes et les effets du dérèglement climatique à partir de données scientifiques.",
             "You come to understand the causes and effects of climate change from scientific data."),
            ("L'atelier se termine par des pistes d'action concrètes, chez soi et dans le quartier.",
             "The session ends with practical ideas for action, at home and in the neighbourhood."),
        ),
        offers=(
            offer("Fresque du climat", "Climate Fresk workshop", "workshop", "adults young-people", "14-120",
                  weight=2.0),
            offer("Conférence : la Loire face au changement climatique", "Talk: the Loire and climate change",
                  "talk", "adults", "14-120"),
            offer("Zéro déchet : fabriquer ses produits ménagers", "Zero waste: make your own cleaning products",
                  "workshop", "adults families"),
        ),
    ),
    topic(
        "nature-outings", ("Découverte de la nature", "Nature discovery"), parent="environment-daily-life",
        formacode="12589", blocks="culture families", providers="association museum city_service",
        learn=(
            ("Jumelles en main, on apprend à reconnaître les oiseaux, les arbres et les plantes.",
             "Binoculars in hand, you learn to recognise birds, trees and plants."),
            ("Un naturaliste partage ses connaissances tout au long de la sortie.",
             "A naturalist shares their knowledge throughout the outing."),
        ),
        offers=(
            offer("Sortie nature : les oiseaux de Loire", "Nature outing: Loire birds", "guided_visit", "families",
                  "6-120", weight=2.0),
            offer("Balade botanique en ville", "Urban botany walk", "guided_visit", "adults", "10-120"),
            offer("Nuit de la chouette", "Owl night", "festival_event", "families", "6-120"),
        ),
    ),
    topic(
        "budget", ("Budget et consommation", "Budget and consumer skills"), parent="environment-daily-life",
        formacode="15008", blocks="families inclusive", providers="city_service community_centre association",
        learn=(
            ("On apprend à suivre ses dépenses, à lire ses factures et à connaître ses droits.",
             "You learn to track spending, read your bills and know your rights."),
            ("Une conseillère en économie sociale et familiale répond aux questions en toute confidentialité.",
             "A family budget adviser answers questions in confidence."),
        ),
        offers=(
            offer("Gérer son budget au quotidien", "Managing your everyday budget", "workshop", "adults", "18-120",
                  weight=2.0),
            offer("Comprendre ses factures d'énergie", "Understanding your energy bills", "workshop", "adults",
                  "18-120"),
            offer("Prévenir le surendettement", "Avoiding problem debt", "talk", "adults", "18-120"),
        ),
    ),
]

CITIZENSHIP: list[TopicSpec] = [
    topic(
        "volunteering", ("Bénévolat", "Volunteering"), parent="citizenship", formacode="44058",
        blocks="families culture", providers="association community_centre city_service",
        learn=(
            ("On découvre une association de l'intérieur et on apprend en agissant aux côtés de bénévoles aguerris.",
             "You get to know an organisation from the inside and learn by working with experienced volunteers."),
            ("Chacun choisit le temps qu'il peut donner, même quelques heures par mois.",
             "Everyone chooses how much time they can give, even a few hours a month."),
        ),
        offers=(
            offer("Bénévolat à l'épicerie solidaire", "Volunteering at the community grocery", "volunteering",
                  "adults", "16-120", weight=2.0),
            offer("Devenir bénévole en aide aux devoirs", "Volunteer as a homework helper", "volunteering", "adults",
                  "18-120"),
            offer("Accompagner des sorties de seniors isolés", "Accompany isolated older people on outings",
                  "volunteering", "adults", "18-120"),
            offer("Nettoyage citoyen des bords de Loire", "Citizen clean-up of the Loire riverbanks", "volunteering",
                  "families", "8-120"),
            offer("Lire et faire lire : devenir lecteur bénévole", "Read and Share: become a volunteer reader",
                  "volunteering", "seniors", "50-120"),
        ),
    ),
    topic(
        "civic-life", ("Vie citoyenne", "Civic life"), parent="citizenship", formacode="13249",
        blocks="inclusive culture", providers="city_service association community_centre school",
        learn=(
            ("On comprend qui décide quoi, de la commune à l'Europe, et comment faire entendre sa voix.",
             "You find out who decides what, from the town council to Europe, and how to make your voice heard."),
            ("Les échanges sont animés par des élus et des agents de la ville.",
             "Discussions are led by councillors and city staff."),
        ),
        offers=(
            offer("Comprendre les institutions locales", "Understanding local government", "talk",
                  "adults newcomers", "16-120"),
            offer("Conseil municipal des jeunes", "Youth council", "club", "young-people", "11-17"),
            offer("Débat citoyen : la ville de demain", "Citizens' debate: the city of tomorrow", "talk", "adults",
                  "16-120"),
            offer("Préparer l'entretien de naturalisation", "Preparing for the citizenship interview", "workshop",
                  "newcomers", "18-120"),
        ),
    ),
    topic(
        "youth-leadership", ("Animation jeunesse", "Youth leadership"), parent="citizenship", formacode="44067",
        blocks="workplace families", providers="association city_service community_centre",
        paid_share=0.6, prices=(150, 280, 390),
        learn=(
            ("On apprend à encadrer des enfants en accueil collectif, à construire des activités et à veiller à "
             "leur sécurité.",
             "You learn to supervise children in holiday schemes, to plan activities and to keep them safe."),
            ("La session mêle apports théoriques, jeux et mises en situation.",
             "The session mixes theory, games and role-plays."),
        ),
        offers=(
            offer("Formation BAFA : session générale", "BAFA youth leader training: general session", "course",
                  "young-people", "17-25", credential=("BAFA (brevet d'aptitude aux fonctions d'animateur)",
                                                       "BAFA youth leader certificate"), weight=2.0),
            offer("Service civique : réunion d'information", "Civic service: information meeting", "talk",
                  "young-people", "16-25"),
        ),
    ),
]

# fmt: on

ALL: list[TopicSpec] = DIGITAL + WORK + HEALTH + ENVIRONMENT + CITIZENSHIP

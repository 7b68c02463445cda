"""Topic banks for arts and culture, languages, families and science, in French and English.

Formacode codes come from the Formacode v8 dictionary published with LHÉO; they are hard-coded so
the generator never reads reference files at run time.
"""

from __future__ import annotations

from learningcity.demo.vocabulary import TopicSpec, offer, topic

# Phrase banks read best as compact tables, so the formatter leaves them alone.
# fmt: off
ARTS: list[TopicSpec] = [
    topic(
        "watercolour", ("Aquarelle", "Watercolour"), parent="arts-culture", formacode="45098",
        blocks="culture", providers="association community_centre cultural museum library",
        paid_share=0.5, prices=(8, 12, 15, 90, 120), hands_on=True,
        learn=(
            ("On y apprend à préparer sa palette, à travailler en transparence et à laisser l'eau faire sa part.",
             "You learn to set up a palette, to work in transparent layers and to let the water do its part."),
            ("Chacun repart avec une ou deux aquarelles terminées et des exercices à refaire chez soi.",
             "Everyone leaves with one or two finished paintings and exercises to practise at home."),
            ("L'intervenante montre chaque geste avant de laisser chacun essayer.",
             "The tutor demonstrates each technique before everyone has a go."),
        ),
        offers=(
            offer("Atelier d'aquarelle pour débutants", "Watercolour workshop for beginners", "workshop", "adults"),
            offer("Cours d'aquarelle hebdomadaire", "Weekly watercolour class", "course", "adults"),
            offer("Aquarelle en famille", "Watercolour for families", "workshop", "families children", "6-120"),
            offer("Aquarelle douce pour les seniors", "Gentle watercolour for seniors", "course", "seniors", "60-120"),
        ),
        themes=(("paysages de Loire", "Loire landscapes"), ("carnet de voyage", "travel sketchbook"),
                ("fleurs et botanique", "flowers and botany"), ("ciels et lumières", "skies and light")),
    ),
    topic(
        "drawing", ("Dessin", "Drawing"), parent="arts-culture", formacode="45057",
        blocks="culture", providers="association community_centre cultural museum school",
        paid_share=0.4, prices=(6, 10, 80, 110), hands_on=True,
        learn=(
            ("On travaille le trait, les proportions et les ombres à partir d'observations simples.",
             "We work on line, proportion and shading through simple observation exercises."),
            ("Crayon, fusain ou feutre : chacun explore les outils qui lui conviennent.",
             "Pencil, charcoal or felt pen: everyone explores the tools that suit them."),
        ),
        offers=(
            offer("Croquis urbain : dessiner la ville", "Urban sketching: drawing the city", "workshop", "adults"),
            offer("Initiation au dessin", "Introduction to drawing", "course", "adults"),
            offer("Atelier BD pour les 9-13 ans", "Comic strip workshop for ages 9 to 13", "workshop", "children",
                  "9-13"),
            offer("Dessin d'après les collections du musée", "Drawing from the museum collections", "workshop",
                  "adults", "12-120", providers="museum"),
        ),
    ),
    topic(
        "pottery", ("Céramique et modelage", "Pottery and clay modelling"), parent="arts-culture",
        formacode="45597", blocks="culture", providers="association community_centre cultural",
        paid_share=0.7, prices=(12, 18, 25, 140, 190), hands_on=True,
        learn=(
            ("On découvre le modelage à la main, le colombin et la plaque avant de passer au tour.",
             "You discover hand-building, coiling and slab work before moving on to the wheel."),
            ("Les pièces sont cuites à l'atelier et récupérées deux semaines plus tard.",
             "Pieces are fired in the studio kiln and can be collected two weeks later."),
        ),
        offers=(
            offer("Initiation au modelage de l'argile", "Introduction to clay modelling", "workshop", "adults"),
            offer("Cours de céramique : tournage et émaillage", "Ceramics course: throwing and glazing", "course",
                  "adults"),
            offer("Petites mains d'argile", "Little hands in clay", "workshop", "children families", "4-8"),
        ),
    ),
    topic(
        "photography", ("Photographie", "Photography"), parent="arts-culture", formacode="46289",
        blocks="culture technologies", providers="association community_centre cultural library",
        paid_share=0.4, prices=(5, 10, 60, 95),
        learn=(
            ("On apprend à maîtriser la lumière, le cadrage et les réglages essentiels de son appareil.",
             "You learn to handle light, framing and the essential settings of your camera."),
            ("Chaque séance alterne prise de vue et regard collectif sur les images.",
             "Each session alternates between taking pictures and looking at them together."),
        ),
        offers=(
            offer("Bien utiliser son appareil photo", "Getting the most out of your camera", "course", "adults"),
            offer("Balade photo dans le quartier", "Neighbourhood photo walk", "workshop", "adults", "12-120"),
            offer("Photographier avec son smartphone", "Smartphone photography", "workshop", "adults seniors"),
        ),
        themes=(("portraits", "portraits"), ("architecture", "architecture"), ("photo de nuit", "night photography")),
    ),
    topic(
        "theatre", ("Théâtre", "Theatre"), parent="arts-culture", formacode="45003",
        blocks="culture families", providers="cultural association community_centre school",
        paid_share=0.5, prices=(5, 8, 120, 160),
        learn=(
            ("Jeux de voix, de corps et d'écoute : on gagne en aisance à l'oral sans s'en rendre compte.",
             "Voice, movement and listening games: you grow more confident speaking without noticing it."),
            ("Le groupe construit peu à peu une courte pièce présentée en fin de saison.",
             "The group gradually builds a short play performed at the end of the season."),
        ),
        offers=(
            offer("Atelier théâtre pour adolescents", "Theatre workshop for teenagers", "course", "young-people",
                  "12-17"),
            offer("Improvisation théâtrale pour adultes", "Improv theatre for adults", "course", "adults"),
            offer("Théâtre d'impro : soirée découverte", "Improv theatre: taster evening", "workshop", "adults"),
            offer("Lecture à voix haute", "Reading aloud", "workshop", "adults seniors"),
        ),
    ),
    topic(
        "choir", ("Chant choral", "Choir singing"), parent="arts-culture", formacode="45093",
        blocks="culture families", providers="cultural association community_centre",
        paid_share=0.3, prices=(5, 60, 90),
        learn=(
            ("Pas besoin de lire la musique : les chants s'apprennent à l'oreille, voix par voix.",
             "No need to read music: songs are learnt by ear, one part at a time."),
            ("Échauffement, respiration, puis répertoire du monde entier.",
             "Warm-up, breathing, then songs from all over the world."),
        ),
        offers=(
            offer("Chorale intergénérationnelle", "Intergenerational choir", "club", "families seniors", "8-120"),
            offer("Chant choral pour tous", "Choir singing for everyone", "club", "adults"),
            offer("Atelier chant et respiration", "Singing and breathing workshop", "workshop", "adults"),
        ),
    ),
    topic(
        "early-music", ("Éveil musical", "Music for young children"), parent="arts-culture", formacode="45073",
        blocks="families culture", providers="cultural library community_centre city_service",
        paid_share=0.2, prices=(4, 6),
        learn=(
            ("Comptines, petites percussions et jeux de rythme pour découvrir les sons ensemble.",
             "Nursery rhymes, small percussion instruments and rhythm games to discover sounds together."),
            ("Un moment complice où l'adulte chante et joue avec son enfant.",
             "A shared moment in which the adult sings and plays with their child."),
        ),
        offers=(
            offer("Éveil musical parents-enfants", "Music discovery for parents and toddlers", "workshop",
                  "families parents", "0-3", weight=2.0),
            offer("Comptines et jeux de doigts", "Nursery rhymes and finger play", "workshop", "families", "0-3"),
            offer("Éveil musical des 4-6 ans", "Music discovery for ages 4 to 6", "course", "children", "4-6"),
        ),
    ),
    topic(
        "instrument", ("Pratique instrumentale", "Playing an instrument"), parent="arts-culture",
        formacode="45082", blocks="culture", providers="cultural association school",
        paid_share=0.7, prices=(10, 95, 150, 210),
        learn=(
            ("On apprend les premiers accords et quelques morceaux simples dès les premières séances.",
             "You learn your first chords and a few simple pieces from the very first sessions."),
            ("Les instruments peuvent être prêtés pour la durée du cycle.",
             "Instruments can be lent for the length of the course."),
        ),
        offers=(
            offer("Initiation à la guitare", "Introduction to the guitar", "course", "adults", "12-120"),
            offer("Découverte du piano pour adultes", "Piano for adult beginners", "course", "adults", "18-120"),
            offer("Ukulélé en famille", "Ukulele for families", "workshop", "families", "7-120"),
            offer("Orchestre à l'école", "School orchestra", "club", "children", "8-11", providers="school"),
        ),
    ),
    topic(
        "museum-visits", ("Visites de musée", "Museum visits"), parent="arts-culture", formacode="14216",
        blocks="culture inclusive", providers="museum",
        paid_share=0.4, prices=(3, 5, 7),
        learn=(
            ("Un médiateur raconte les œuvres, leur histoire et les secrets de leur fabrication.",
             "A museum guide tells the story of the works and the secrets of how they were made."),
            ("On prend le temps de regarder quelques œuvres de près plutôt que de tout voir.",
             "We take time to look closely at a few works rather than trying to see everything."),
        ),
        offers=(
            offer("Visite guidée des collections permanentes", "Guided tour of the permanent collections",
                  "guided_visit", "adults", "12-120", weight=2.0),
            offer("Visite en famille : les animaux dans la peinture", "Family tour: animals in paintings",
                  "guided_visit", "families children", "5-120"),
            offer("Visite guidée en langue des signes", "Guided tour in French Sign Language", "guided_visit",
                  "disabled-people adults", "8-120", languages="fsl fr"),
            offer("Le musée des tout-petits", "The museum for toddlers", "guided_visit", "families parents", "1-3"),
            offer("Visite descriptive et tactile", "Descriptive and tactile tour", "guided_visit",
                  "disabled-people", "12-120"),
            offer("Nocturne au musée : regards croisés", "Late opening at the museum: new perspectives",
                  "festival_event", "adults young-people", "16-120"),
        ),
    ),
    topic(
        "heritage-walks", ("Balades patrimoine", "Heritage walks"), parent="arts-culture", formacode="14227",
        blocks="culture families", providers="city_service museum association",
        paid_share=0.3, prices=(4, 6),
        learn=(
            ("Façades, cours cachées et anecdotes : la ville se lit autrement.",
             "Façades, hidden courtyards and anecdotes: you see the city in a new light."),
            ("Le parcours est plat et dure environ une heure et demie.",
             "The route is flat and takes about an hour and a half."),
        ),
        offers=(
            offer("Balade patrimoine : le vieux Villeneuve", "Heritage walk: old Villeneuve", "guided_visit",
                  "adults", "10-120", weight=2.0),
            offer("Les bords de Loire racontés", "Stories of the Loire riverbanks", "guided_visit", "families",
                  "8-120"),
            offer("Journées du patrimoine : les coulisses de l'hôtel de ville",
                  "Heritage Days: behind the scenes at the town hall", "festival_event", "families", "8-120"),
            offer("Promenade mémoire avec les anciens du quartier", "Memory walk with long-time residents",
                  "guided_visit", "seniors adults", "12-120"),
        ),
    ),
    topic(
        "history-talks", ("Conférences d'histoire", "History talks"), parent="arts-culture", formacode="14227",
        blocks="culture quality", providers="university library museum association",
        paid_share=0.2, prices=(5, 40, 60),
        learn=(
            ("Un historien présente les dernières recherches avec des documents d'archives.",
             "A historian presents the latest research using archive documents."),
            ("Cartes, gravures et photographies anciennes accompagnent le propos.",
             "Maps, engravings and old photographs illustrate the talk."),
        ),
        offers=(
            offer("Conférence : l'histoire de la Loire et de ses mariniers",
                  "Talk: the history of the Loire and its boatmen", "talk", "adults", "14-120", weight=2.0),
            offer("Conférence d'histoire de l'art", "Art history lecture", "talk", "adults", "14-120"),
            offer("Cycle de conférences : la Renaissance en Val de Loire",
                  "Lecture series: the Renaissance in the Loire Valley", "course", "adults seniors"),
            offer("Université du temps libre : les grandes découvertes", "Open university for retirees: the age "
                  "of discovery", "course", "seniors", "55-120", providers="university"),
        ),
    ),
    topic(
        "reading-club", ("Lecture", "Reading"), parent="arts-culture", formacode="14261",
        blocks="culture families", providers="library association community_centre school",
        learn=(
            ("Chacun partage ses coups de cœur et repart avec des idées de lecture.",
             "Everyone shares the books they loved and leaves with new ideas for reading."),
            ("Romans, BD, essais : toutes les lectures sont les bienvenues.",
             "Novels, comics, essays: every kind of book is welcome."),
        ),
        offers=(
            offer("Club de lecture", "Book club", "club", "adults", "16-120", weight=2.0),
            offer("Club de lecture ados", "Teen book club", "club", "young-people", "12-17"),
            offer("Rencontre avec une autrice", "Meet the author", "talk", "adults", "12-120"),
            offer("Club de lecture à voix haute pour seniors", "Read-aloud club for seniors", "club", "seniors",
                  "60-120"),
        ),
    ),
    topic(
        "creative-writing", ("Écriture", "Creative writing"), parent="arts-culture", formacode="15021",
        blocks="culture inclusive", providers="library association cultural",
        paid_share=0.3, prices=(5, 8, 70),
        learn=(
            ("À partir de consignes ludiques, on écrit de courts textes et on les lit à voix haute si on le souhaite.",
             "Starting from playful prompts, you write short texts and read them aloud if you wish."),
            ("Aucune expérience n'est nécessaire, seulement l'envie d'écrire.",
             "No experience is needed, only the wish to write."),
        ),
        offers=(
            offer("Atelier d'écriture", "Creative writing workshop", "workshop", "adults"),
            offer("Écrire sa vie : atelier de récit", "Writing your life story", "course", "seniors adults",
                  "50-120"),
            offer("Atelier slam et poésie", "Slam poetry workshop", "workshop", "young-people", "13-25"),
        ),
    ),
    topic(
        "cinema", ("Cinéma", "Cinema"), parent="arts-culture", formacode="46274",
        blocks="culture families", providers="cultural library community_centre",
        paid_share=0.4, prices=(4, 5, 6),
        learn=(
            ("On découvre comment un film se construit, du scénario au montage.",
             "You discover how a film is put together, from script to editing."),
            ("Chaque projection est suivie d'un échange avec un intervenant passionné.",
             "Each screening is followed by a discussion with an enthusiastic guest speaker."),
        ),
        offers=(
            offer("Ciné-débat", "Film and discussion evening", "talk", "adults", "14-120", weight=2.0),
            offer("Ciné-goûter", "Film and snack afternoon", "festival_event", "families children", "4-10"),
            offer("Atelier cinéma d'animation", "Stop-motion animation workshop", "workshop", "children", "8-14"),
        ),
    ),
    topic(
        "dance", ("Danse", "Dance"), parent="arts-culture", formacode="45071",
        blocks="culture", providers="cultural sports association community_centre",
        paid_share=0.6, prices=(5, 8, 110, 150), hands_on=True,
        learn=(
            ("Les pas s'apprennent pas à pas, sans partenaire obligatoire.",
             "Steps are taught one at a time, and you do not need to bring a partner."),
            ("Un moment pour bouger, écouter la musique et rencontrer du monde.",
             "A time to move, listen to music and meet people."),
        ),
        offers=(
            offer("Danses traditionnelles du Val de Loire", "Traditional dances of the Loire Valley", "club",
                  "adults", "12-120"),
            offer("Bal folk : initiation", "Folk ball: beginners' session", "festival_event", "families", "8-120"),
            offer("Danse contemporaine pour débutants", "Contemporary dance for beginners", "course", "adults"),
            offer("Danse assise pour seniors", "Seated dance for seniors", "course", "seniors", "65-120"),
        ),
    ),
]

LANGUAGE_TOPICS: list[TopicSpec] = [
    topic(
        "french-newcomers", ("Français langue étrangère", "French as a foreign language"), parent="languages",
        formacode="15235", blocks="inclusive families", providers="association community_centre library vocational",
        learn=(
            ("On apprend le français de tous les jours : se présenter, faire ses courses, prendre rendez-vous.",
             "You learn everyday French: introducing yourself, shopping, making an appointment."),
            ("Les groupes sont constitués après un petit test de niveau, à l'oral.",
             "Groups are formed after a short spoken placement test."),
            ("Les formateurs sont bénévoles et formés à l'accueil des publics allophones.",
             "Tutors are volunteers trained to welcome people new to French."),
        ),
        offers=(
            offer("Français langue étrangère pour nouveaux arrivants", "French as a foreign language for newcomers",
                  "course", "newcomers", "16-120", weight=3.0),
            offer("Le français de tous les jours", "French for everyday life", "course", "newcomers adults",
                  "18-120", weight=2.0),
            offer("Français pour l'emploi", "French for work", "course", "newcomers job-seekers", "18-64",
                  credential=("Diplôme d'études en langue française (DELF) A2", "DELF A2 French language diploma")),
            offer("Accueil des familles ukrainiennes : premiers pas en français",
                  "Welcoming Ukrainian families: first steps in French", "course", "newcomers families", "12-120",
                  languages="fr uk"),
            offer("Premiers pas en français, avec traduction en arabe", "First steps in French, with Arabic "
                  "interpreting", "course", "newcomers", "16-120", languages="fr ar"),
            offer("Conversation en français pour parents allophones", "French conversation for parents new to French",
                  "club", "parents newcomers", "18-120"),
        ),
    ),
    topic(
        "language-cafe", ("Cafés des langues", "Language cafés"), parent="languages", formacode="15254",
        blocks="culture families", providers="association library community_centre university",
        learn=(
            ("Autour d'une boisson, on passe d'une table à l'autre pour pratiquer sans pression.",
             "Over a drink, you move from table to table to practise without pressure."),
            ("Locuteurs natifs et apprenants de tous niveaux se mélangent.",
             "Native speakers and learners of every level mix together."),
        ),
        offers=(
            offer("Café des langues : espagnol", "Language café: Spanish", "club", "adults", languages="es fr"),
            offer("Café des langues : anglais", "Language café: English", "club", "adults", languages="en fr"),
            offer("Café des langues : allemand", "Language café: German", "club", "adults", languages="de fr"),
            offer("Café des langues : italien", "Language café: Italian", "club", "adults", languages="it fr"),
            offer("Café des langues : portugais", "Language café: Portuguese", "club", "adults", languages="pt fr"),
            offer("Café des langues : arabe", "Language café: Arabic", "club", "adults", languages="ar fr"),
            offer("Café des langues : chinois", "Language café: Chinese", "club", "adults", languages="zh fr",
                  weight=0.5),
            offer("Café des langues : turc", "Language café: Turkish", "club", "adults", languages="tr fr",
                  weight=0.5),
            offer("Café des langues : ukrainien", "Language café: Ukrainian", "club", "adults", languages="uk fr",
                  weight=0.5),
            offer("Club de conversation en anglais", "English conversation club", "club", "adults", languages="en"),
        ),
    ),
    topic(
        "english", ("Anglais", "English"), parent="languages", formacode="15234",
        blocks="inclusive workplace", providers="association university vocational online_platform library",
        paid_share=0.5, prices=(8, 90, 140, 180),
        learn=(
            ("On pratique surtout l'oral, à partir de situations concrètes.",
             "The focus is on speaking, through real-life situations."),
            ("Chaque séance se termine par un petit défi à relever pendant la semaine.",
             "Each session ends with a small challenge to take on during the week."),
        ),
        offers=(
            offer("Anglais pour débutants", "English for beginners", "course", "adults", languages="en fr",
                  weight=2.0),
            offer("Anglais de voyage", "English for travellers", "workshop", "adults", languages="en fr"),
            offer("L'anglais en chansons", "English through songs", "workshop", "children", "5-9",
                  languages="en fr"),
            offer("Préparer un entretien d'embauche en anglais", "Preparing a job interview in English", "workshop",
                  "job-seekers", "18-64", languages="en fr"),
            offer("Anglais professionnel en ligne", "Business English online", "online_course", "employees",
                  "18-120", languages="en", providers="online_platform university"),
        ),
    ),
    topic(
        "foreign-languages", ("Autres langues vivantes", "Other modern languages"), parent="languages",
        formacode="15254", blocks="inclusive culture", providers="association university cultural",
        paid_share=0.7, prices=(90, 130, 170),
        learn=(
            ("Grammaire utile, vocabulaire du quotidien et beaucoup de conversation.",
             "Useful grammar, everyday vocabulary and plenty of conversation."),
            ("Les supports de cours sont fournis et disponibles en ligne.",
             "Course materials are provided and available online."),
        ),
        offers=(
            offer("Espagnol pour débutants", "Spanish for beginners", "course", "adults", languages="es fr"),
            offer("Italien : niveau intermédiaire", "Italian: intermediate level", "course", "adults",
                  languages="it fr"),
            offer("Initiation à l'arabe", "Introduction to Arabic", "course", "adults", "12-120", languages="ar fr"),
            offer("Allemand : conversation", "German conversation", "course", "adults", languages="de fr"),
            offer("Découverte du chinois", "Discovering Chinese", "course", "adults", "12-120", languages="zh fr",
                  weight=0.5),
        ),
    ),
    topic(
        "sign-language", ("Langue des signes française", "French Sign Language"), parent="languages",
        formacode="15250", blocks="inclusive families", providers="association city_service library",
        paid_share=0.3, prices=(5, 60),
        learn=(
            ("On découvre l'alphabet, les signes du quotidien et la culture sourde.",
             "You learn the finger-spelling alphabet, everyday signs and something of Deaf culture."),
            ("Les séances sont animées par une formatrice sourde.", "Sessions are led by a Deaf tutor."),
        ),
        offers=(
            offer("Initiation à la langue des signes française", "Introduction to French Sign Language", "course",
                  "adults", "12-120", languages="fsl fr", weight=2.0),
            offer("Signer avec bébé", "Baby signing", "workshop", "parents families", "0-3", languages="fsl fr"),
            offer("LSF : les signes du quotidien", "French Sign Language for everyday life", "workshop",
                  "adults disabled-people", "12-120", languages="fsl fr"),
        ),
    ),
    topic(
        "literacy", ("Savoirs de base", "Basic skills"), parent="languages", formacode="44501",
        blocks="inclusive workplace", providers="association vocational community_centre library",
        learn=(
            ("On reprend à son rythme la lecture, l'écriture et le calcul utiles au quotidien.",
             "You brush up, at your own pace, on the reading, writing and arithmetic you need every day."),
            ("Le parcours est personnalisé après un entretien individuel et confidentiel.",
             "The programme is tailored after a private, one-to-one interview."),
        ),
        offers=(
            offer("Remise à niveau : lire, écrire, compter", "Brush up on reading, writing and arithmetic", "course",
                  "adults job-seekers", credential=("Certificat CléA", "CléA basic skills certificate"), weight=2.0),
            offer("Atelier d'écriture pour reprendre confiance", "Writing workshop to regain confidence", "workshop",
                  "adults"),
            offer("Calcul au quotidien", "Everyday maths", "course", "adults"),
        ),
    ),
]

FAMILY_TOPICS: list[TopicSpec] = [
    topic(
        "storytime", ("Contes et lectures pour enfants", "Stories for children"), parent="families-childhood",
        formacode="44031", blocks="families culture", providers="library community_centre association",
        learn=(
            ("Albums, kamishibaï et comptines pour éveiller le goût des histoires.",
             "Picture books, kamishibai and rhymes to awaken a love of stories."),
            ("Les parents repartent avec des idées de livres à partager à la maison.",
             "Parents leave with ideas for books to share at home."),
        ),
        offers=(
            offer("L'heure du conte", "Story time", "workshop", "children families", "3-7", weight=2.0),
            offer("Bébés lecteurs", "Books for babies", "workshop", "families parents", "0-3", weight=2.0),
            offer("Contes du monde en plusieurs langues", "World tales in several languages", "workshop",
                  "families children", "3-10", languages="fr ar es"),
            offer("Soirée pyjama à la médiathèque", "Pyjama story night at the library", "festival_event",
                  "families", "3-8", providers="library"),
        ),
    ),
    topic(
        "homework-help", ("Accompagnement scolaire", "Homework help"), parent="families-childhood",
        formacode="15041", blocks="inclusive families", providers="association community_centre school library",
        learn=(
            ("Des bénévoles aident à organiser le travail, relire les leçons et reprendre confiance.",
             "Volunteers help organise homework, go over lessons and rebuild confidence."),
            ("Un goûter est offert avant de se mettre au travail.", "A snack is offered before getting down to work."),
        ),
        offers=(
            offer("Aide aux devoirs", "Homework help", "club", "children", "6-11", weight=2.0),
            offer("Accompagnement scolaire collégiens", "Homework club for secondary school pupils", "club",
                  "young-people", "11-15"),
            offer("Révisions du brevet", "Revision for the brevet exam", "course", "young-people", "14-16"),
            offer("Soutien en mathématiques pour lycéens", "Maths support for sixth-formers", "club",
                  "young-people", "15-18"),
        ),
    ),
    topic(
        "parenting", ("Parentalité", "Parenting"), parent="families-childhood", formacode="44006",
        blocks="families", providers="community_centre city_service association",
        learn=(
            ("Une professionnelle de la petite enfance anime l'échange et répond aux questions.",
             "An early-years professional leads the discussion and answers questions."),
            ("On partage ses expériences sans jugement, autour d'un café.",
             "Experiences are shared without judgement, over a cup of coffee."),
        ),
        offers=(
            offer("Café des parents", "Parents' café", "talk", "parents", "18-120", weight=2.0),
            offer("Soutien à la parentalité : les écrans en famille", "Parenting support: screens at home", "talk",
                  "parents", "18-120"),
            offer("Massage bébé", "Baby massage", "workshop", "parents families", "0-1"),
            offer("Préparer l'entrée à l'école maternelle", "Getting ready for nursery school", "talk",
                  "parents families", "2-3"),
        ),
    ),
    topic(
        "games", ("Jeux", "Games"), parent="families-childhood", formacode="44582",
        blocks="families culture", providers="library community_centre association sports",
        learn=(
            ("Jeux de plateau, de stratégie ou d'adresse : on apprend les règles en jouant.",
             "Board games, strategy games, games of skill: you learn the rules by playing."),
            ("Un animateur conseille les jeux selon l'âge et l'envie de chacun.",
             "A host suggests games to suit everyone's age and mood."),
        ),
        offers=(
            offer("Club d'échecs", "Chess club", "club", "children adults", "7-120"),
            offer("Soirée jeux de société", "Board games evening", "festival_event", "families", "8-120",
                  weight=2.0),
            offer("Ludothèque : jouer en famille", "Toy library: play together", "workshop", "families", "0-10"),
        ),
    ),
]

SCIENCE_TOPICS: list[TopicSpec] = [
    topic(
        "science-kids", ("Sciences pour les jeunes", "Science for young people"), parent="science-discovery",
        formacode="12054", blocks="inclusive culture", providers="association museum school university library",
        paid_share=0.2, prices=(3, 5, 8),
        learn=(
            ("On manipule, on observe et on comprend en réalisant de vraies expériences.",
             "You handle things, observe and understand by doing real experiments."),
            ("Les animateurs sont des étudiants en sciences.", "The activities are led by science students."),
        ),
        offers=(
            offer("Petits débrouillards : expériences scientifiques", "Young explorers: science experiments",
                  "workshop", "children", "7-12", weight=2.0),
            offer("Atelier robotique pour les 10-14 ans", "Robotics workshop for ages 10 to 14", "workshop",
                  "children young-people", "10-14"),
            offer("Fête de la science : laboratoire ouvert", "Science festival: open lab", "festival_event",
                  "families", "6-120"),
        ),
    ),
    topic(
        "astronomy", ("Astronomie", "Astronomy"), parent="science-discovery", formacode="11474",
        blocks="culture", providers="association university museum",
        learn=(
            ("Télescopes et cartes du ciel à disposition pour reconnaître planètes et constellations.",
             "Telescopes and star charts are provided to spot planets and constellations."),
            ("En cas de nuages, la séance se poursuit en salle avec un planétarium mobile.",
             "If it is cloudy, the session continues indoors with a mobile planetarium."),
        ),
        offers=(
            offer("Nuit des étoiles : observation du ciel", "Star night: sky watching", "festival_event",
                  "families", "6-120"),
            offer("Conférence : à la découverte du système solaire", "Talk: exploring the solar system", "talk",
                  "adults young-people", "12-120"),
        ),
    ),
]

# fmt: on

ALL: list[TopicSpec] = ARTS + LANGUAGE_TOPICS + FAMILY_TOPICS + SCIENCE_TOPICS

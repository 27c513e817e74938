META
key;value
description;District PB in Warszawa, Wola
country;Poland
unit;Warszawa
district;Wola
subunit;Wola
instance;2022
num_projects;94
num_votes;79
budget;5240205
vote_type;approval
rule;greedy
date_begin;15.06.2021
date_end;30.06.2021
min_length;1
max_length;15
edition;8
language;pl
currency;PLN
comment;#1: If a given project has multiple coordinates, then the average over these coordinates is taken.
excerpt;An excerpt for Commune's tests: META and PROJECTS as published, and 79 of the 9256 votes (voters 36780 to 37134, in file order), among them voter 37051's vote, which names project 1040 twice. num_votes counts the excerpt, the projects' votes column counts the whole election. Source: pabulib/pabulib_files, pb_files/Poland_Warszawa_2022_Wola.pb at commit dabed013f913052b28cc02d34603367bf2607fc8.
PROJECTS
project_id;cost;votes;name;category;beneficiaries;selected;latitude;longitude
163;860000;3351;200 dużych drzew przy wolskich ulicach;urban greenery,public space,environmental protection;people with disabilities,seniors,adults,youth,children;1;52.22944728601296;20.943961026154373
1713;1011486;2765;Drzewa i zieleń urządzona na Woli;sport,urban greenery,environmental protection;people with disabilities,seniors,adults,youth,children;1;52.24505312312479;20.957181255259535
2028;202000;2555;Butelkomaty dla Woli - kontynuacja;public space,environmental protection,education;people with disabilities,seniors,adults,children,youth;1;;
592;291500;2546;Zdrowa Wola - 100 ławek z oparciami zamiast zniszczonych, zdewastowanych ławek w Parku Szymańskiego i Moczydło!;health,urban greenery,public space;people with disabilities,seniors,adults,youth,children;1;52.23468955569509;20.951414134718632
147;1040000;2402;Modernizacja boiska piłkarskiego z nawierzchnią ze sztucznej trawy przy Szkole Podstawowej nr 386 (ul. Grenady 16), przeznaczonego do codziennej gry i ruchu na świeżym powietrzu;sport,public space,culture;people with disabilities,seniors,adults,youth,children;1;52.240699417541;20.959705555163
1935;650000;2335;Drzewa dla Woli;urban greenery,public space;people with disabilities,seniors,adults,youth,children;1;52.232005085482;20.958051681519
234;218000;2261;Duże drzewa na Woli - zieleń, cień i bioróżnorodność;urban greenery,environmental protection;seniors,adults,youth,children;1;;
1883;550000;2189;Nowa przestrzeń sportowo-rekreacyjna w wolskim Parku im. gen. J. Sowińskiego;sport,public space;adults,youth,children;1;52.228734829781;20.948022489422
1273;213300;1857;Dosadzenie drzew wzdłuż Wolskiej i Połczyńskiej;urban greenery,public space,environmental protection;people with disabilities,seniors,adults,youth,children;1;52.226328065970556;20.944684925609778
2093;64500;1809;Chronimy jerzyki i wróble na Woli;environmental protection;adults,youth;1;;
2017;10000;1785;Żywopłoty wzdłuż torowisk;urban greenery,public space,environmental protection;people with disabilities,seniors,adults,youth,children;1;52.24378912436849;20.991931117212197
162;6000;1699;Owocowy gaj przy Sowińskiego;urban greenery,public space,environmental protection;people with disabilities,seniors,adults,youth,children;1;52.228986404197;20.93542102698
320;833000;1607;Rowerem przez Ulrychów - uzupełnienie sieci tras rowerowych;public space,public transit and roads;adults,youth,children;0;52.2354953252595;20.949534448814248
235;375000;1595;Ogrody deszczowe na Woli - mała retencja i bioróżnorodność;urban greenery,public space,environmental protection;seniors,adults,youth,children;0;;
1954;60000;1481;Wola - Koło, Ulrychów, Odolany - monitoring;public space,public transit and roads;seniors,adults,youth,children;1;52.234090092496665;20.943537705504
1960;170000;1464;Wola. Powiększenie Lasku na Kole;urban greenery,public space,environmental protection;people with disabilities,seniors,adults,youth,children;0;52.2504910516725;20.9436661476045
1956;34900;1449;Wola. Jadłodzielnia dla osób biednych i bezdomnych;education,public space,welfare;people with disabilities,seniors,adults,youth,children;1;52.234784549578;20.967519879341
326;20000;1446;Zapobieganie bezdomności zwierząt;environmental protection;animals;1;;
1392;525000;1444;Rewitalizacja terenu rekreacyjno-sportowego przy Szkole Podstawowej nr 386 ul. Grenady;sport,public space;seniors,adults,youth,children;0;52.240801678683;20.959092012468
1854;151800;1436;Zielona Górczewska;urban greenery,public space,environmental protection;people with disabilities,seniors,adults,youth,children;0;;
1864;16000;1348;Wola. Pojemniki na zużyte baterie, nakrętki i żarówki przy wolskich szkołach;welfare,public space,environmental protection;people with disabilities,seniors,adults,youth,children;0;52.23832999739288;20.96253868192425
1040;89000;1269;Orlik na Kole wymiana oświetlenia na boisku przy ul. Ożarowskiej 71;public space,sport,education;people with disabilities,seniors,adults,youth,children;0;52.246104303752;20.949200391769
1459;57000;1200;Wolskie Lato Filmowe 2022;culture;people with disabilities,seniors,adults,youth;0;52.234211203815;20.950947895414
1654;480000;1166;Poidełka w wolskich parkach;public space,environmental protection;people with disabilities,seniors,adults,youth,children;0;52.23890602760729;20.947649546036427
247;147800;1148;Na Woli czytamy do woli - wsparcie wolskich Bibliotek;welfare,culture,education;people with disabilities,seniors,adults,youth,children;0;52.237098606605755;20.961325485259252
2059;120260;1122;Czysta Wola - 50 koszy dla dzielnicy;urban greenery,public space,environmental protection;people with disabilities,seniors,adults,youth,children;0;;
699;331500;1069;Wygodniej i bezpieczniej dla pieszych na Woli - kontynuacja;public space,public transit and roads;people with disabilities,seniors,children;0;52.24336509589327;20.954282985028083
1943;30000;1063;Stacje naprawy rowerów na Woli;sport,welfare,public transit and roads;people with disabilities,seniors,adults,youth,children;0;52.2398443748142;20.956274239786403
2074;626000;1050;Zintegrowane remonty placów zabaw na Woli;sport,public space;adults,youth,children;0;52.23895326618075;20.97215415739
2056;50000;1011;Kino plenerowe;public space,welfare,culture;people with disabilities,seniors,adults,youth,children;0;52.241704856005;20.990419238806
1930;691600;1004;Remont chodnika w alei drzew na Kasprzaka;public space,public transit and roads;people with disabilities,seniors,adults,children,youth;0;52.2285078069145;20.963299309757502
238;1007100;947;Przyjazna Redutowa - bezpieczniejsze przejścia dla pieszych, remont chodników i przystanku oraz miejsca postojowe na jezdni;public space,public transit and roads;children,people with disabilities,seniors,adults;0;52.234856546224;20.94043361115
1001;699760;900;Renowacja wrotkowiska zlokalizowanego w parku Edwarda Szymańskiego w Warszawie.;sport,public space,education;seniors,adults,youth,children;0;52.233827417353;20.954775260376
1947;31000;881;Więcej ławek wzdłuż wolskich ulic;urban greenery,public space,welfare;people with disabilities,seniors,adults,youth,children;0;52.241801091321;20.992930895324
1944;600000;857;Altany w wolskich parkach;urban greenery,public space;people with disabilities,seniors,adults,youth,children;0;52.2361829232672;20.949592811069998
268;120000;838;Skwer na Giełdowej (okolice Ronda Daszynskiego);urban greenery,public space,environmental protection;people with disabilities,seniors,adults,youth,children;0;52.229924329709;20.973052787781
369;184200;834;Książkomat na Woli do odbioru książek z Biblioteki;public space,public transit and roads,education;seniors,youth,children,people with disabilities,adults;0;52.239400178129;20.947644710541
1971;151000;830;Potańcówki w Parku Szymańskiego;public space,culture;people with disabilities,seniors,adults,youth,children;0;52.23305150086;20.949063110352
1673;1030642;828;Remont boiska szkolnego Szkoły Podstawowej nr 234;sport,public space,environmental protection;seniors,adults,youth,children;0;;
1858;60000;817;Metro Księcia Janusza - wiata rowerowa;sport,public space,public transit and roads;seniors,adults,youth,children;0;52.239133467104;20.943260019113
403;45000;782;Poidełko dla dwu- i czworonogów w parku Księcia Janusza;environmental protection,sport,public space;people with disabilities,seniors,adults,youth,children;0;52.247488483159;20.941120751085
2071;220800;709;Renowacja Wolskich Kapliczek - ratujemy historie;public space,culture,education;people with disabilities,seniors,adults,youth,children;0;;
1950;50000;700;Zajęcia integracji sensorycznej dla wolskich przedszkolaków;education;children;0;52.237879209077;20.970470309258
1455;14000;687;Oznakowanie poziome strefy Tempo 30 na Odolanach;public transit and roads;people with disabilities,seniors,adults,youth,children;0;52.221892097773;20.936380984740854
982;150000;684;Zieleń wokół nas czyli nasadzenia przy boisku szkolnym Szkoły Podstawowej nr 132 W Warszawie wraz z infrastrukturą towarzyszącą;urban greenery,public space,environmental protection;people with disabilities,seniors,adults,youth,children;0;52.228565331145;20.954040371007
220;60100;682;Suchą nogą od Antka Rozyplacza do Redutowej - brakujące chodniki;urban greenery,public space,public transit and roads;people with disabilities,seniors,adults,children;0;52.234143173114504;20.937676135741
2012;276500;681;Rewitalizacja skweru na Nowolipkach;urban greenery,public space,environmental protection;people with disabilities,seniors,adults,youth,children;0;52.241584632116;20.98396718502
372;200000;676;Naturalny plac zabaw - drewniany statek piratów na Ulrychowie (ul. Szulborska/Człuchowska/Nakielska);public space;adults,children;0;52.230638287534;20.930038690567
974;1008000;676;Remont chodnika przy ulicy Obozowej;public space,public transit and roads;people with disabilities,seniors,adults,youth,children;0;52.247013577601;20.9510741762355
2043;120000;663;Niech żonkile zakwitną na Woli: edycja 2021;urban greenery,public space,environmental protection;people with disabilities,seniors,adults,youth,children;0;52.242433738641665;20.988125279545834
1137;58500;645;Spowalniacze ruchu na Odolanach;public space,public transit and roads;people with disabilities,seniors,adults,youth,children;0;52.221970184488335;20.931532979813
1443;100000;613;Park do Street Workoutu przy Zielonym Spacerowniku na ul. Sowińskiego;sport,public space;people with disabilities,seniors,adults,youth,children;0;52.229636583354;20.935024534936
442;75000;596;Bezpieczne przejście Karolkowa - Giełdowa;public transit and roads;people with disabilities,seniors,adults,youth,children;0;52.230965203263;20.9778493574
589;300000;594;Zdrowa Wola - Siłownia plenerowa zamiast betonowej ruiny na Młynowie!;environmental protection,health,urban greenery;people with disabilities,seniors,adults,youth,children;0;52.235508808831;20.960894081252
1485;685000;586;Strefa sportu na Gibalaku – miasteczko rowerowe, nowe boiska, siłownia plenerowa;urban greenery,sport,public space;people with disabilities,seniors,adults,youth,children;0;;
1389;550000;562;Kompleksowy remont podwórek na Młynowie;urban greenery,public space,public transit and roads;people with disabilities,seniors,adults,youth,children;0;52.237796946484;20.961995963002
584;200000;554;Nowe komputery dla wolskich bibliotek;culture,education;seniors,adults,youth;0;52.23680724867582;20.971789419651
1445;17000;554;Meteogród - Dydaktyczny ogródek meteorologiczny;environmental protection,education;people with disabilities,seniors,adults,youth,children;0;52.206959945257495;21.106311319162998
1210;150000;543;Unowocześnienie skweru Alojzego Pawełka;environmental protection,urban greenery,public space;people with disabilities,seniors,adults,youth,children;0;52.22508134791;20.968337400912
451;500000;536;Modernizacja skweru Alojzego Pawełka;urban greenery,public space,environmental protection;people with disabilities,seniors,adults,youth,children;0;52.224855215184;20.9683406353
542;16100;525;Plac zabaw pełen frajdy - doposażenie placu zabaw przy ulicy Boguszewskiej;urban greenery,sport,public space;people with disabilities,seniors,adults,youth,children;0;52.221967505715;20.938912554879
148;4000;505;Weekendowa joga w Parku Moczydło;education,sport,environmental protection;seniors,adults,youth,children;1;52.241085490424;20.950229281568
1105;800000;497;Ekologia nam przyświeca;urban greenery,sport,environmental protection;adults,youth,children;0;52.228071531232;20.976630231593
246;14900;491;Robotnicza Wola - historia wolskiego przemysłu: wystawa i spacery z przewodnikiem;public space,culture,education;people with disabilities,seniors,adults,youth,children;0;52.231622503678665;20.948123864296665
1063;550000;479;Urządzenie skweru przy ulicy Złotej;urban greenery,public space,environmental protection;people with disabilities,seniors,adults,youth,children;0;52.23011641554723;20.996495632335563
538;25000;459;Bezpłatne zajęcia umuzykalniające w Bibliotece Odolanka;culture,education;people with disabilities,adults,youth,children;0;52.224773063844;20.952515602112
1413;12500;458;Warsztaty rolkarskie w Parku im. E. Szymańskiego;sport;seniors,adults,youth,children;0;52.233885916874;20.954796185621
1872;50000;429;Wola. Ozdoby świąteczne na ul. Górczewskiej;public space,culture,public transit and roads;people with disabilities,seniors,adults,youth,children;0;52.238444240382;20.954124927521
216;412000;415;Międzypokoleniowo i aktywnie na Woli Ogród Nowolipie;sport,public space,culture;people with disabilities,seniors,adults,youth,children;0;52.241700049866;20.990152138406
408;91300;405;Bezpłatne zajęcia z samoobrony na bazie technik z Hapkido i Combat Hosinsul, spotkanie z funkcjonariuszem Policji, Ratownikiem Medycznym oraz Psychologiem;sport;seniors,adults,youth;0;52.22984659570406;20.99434107862038
667;18840;400;Darmowe zajęcia z programowania dla młodzieży z Woli;education;youth,children;0;52.234153764482;20.96221446991
1662;17800;396;Nie kupuj, zrób - Bezpłatne warsztaty rękodzieła dla dorosłych.;culture,environmental protection,education;people with disabilities,seniors,adults;0;52.23866738775084;20.950228247460835
1968;1019000;387;Remont zabytkowej trylinki;urban greenery,public space,welfare;people with disabilities,seniors,adults,youth,children;0;52.241697462717376;20.99002329865475
1224;47740;378;Młodzi programiści na Woli;education;youth,children;0;52.238444240382;20.986542105675
1876;50500;375;Wola. Mural - Kardynał Wyszyński;public space,public transit and roads,education;people with disabilities,seniors,adults,youth,children;0;52.23264459888251;20.957435731861832
1441;85000;366;Dom kultury dostępny dla wózków;public space;people with disabilities,seniors,adults,youth,children;0;52.234784549578;20.967514514923
412;92000;354;Lekcje języka angielskiego dla klas 2-4.;education;children;0;52.234153764482;20.96221446991
882;79000;352;Wolska Akademia Dziecięca – zajęcia dla dzieci w Bibliotekach;welfare,culture,education;families with children,people with disabilities,adults,children;0;52.2309138547115;20.972353219986
1869;35000;352;Wola. Siłownia plenerowa przy SP 225;sport,public space,education;seniors,adults,youth,children;0;52.241944662691;20.939192884692
535;26500;345;Zajęcia kulturalno-edukacyjne dla dzieci w Bibliotece Odolanka;culture,education;people with disabilities,adults,youth,children;0;52.2247763499;20.952515602112
1686;220000;305;Pokrycie farbą antysmogową elewacji budynku Szkoły Podstawowej nr 221 (Warszawa ul. Ogrodowa 42/44);public space,environmental protection,education;people with disabilities,seniors,adults,youth,children;0;;
1866;5600;303;Wola. Wykłady historyczne o Woli w szkołach;culture,education;people with disabilities,seniors,adults,youth,children;0;52.23864181750428;20.962882723127
1035;80000;301;Kuźnia języków czyli nowa pracownia językowa wraz z kursem dla uczniów klas 8;education;adults,people with disabilities,youth,children;0;52.228578154384;20.953862071037
1423;23330;281;Joga dla rodzin na Kole.;health,sport;youth,seniors,adults,children;0;52.247973299379;20.953287785075
1999;135300;278;Wolskie rzeźby plenerowe;urban greenery,public space,culture;people with disabilities,seniors,adults,youth,children;0;52.242901428131326;20.989634113657
1693;51000;271;Kosze do segregacji przy Skwerze Imienia Mieczysława Apfelbauma;public space,environmental protection;people with disabilities,seniors,adults,youth,children;0;;
1617;6000;268;Pojemniki na nakrętki przy Przedszkolu NR 426, Szkole Podstawowej Nr 132 oraz Szkole Podstawowej Nr 236;urban greenery,public space,environmental protection;people with disabilities,seniors,adults,youth,children;0;52.22807007420467;20.946776837044997
1258;513800;249;Remont drogi osiedlowej ul. Miła 25 - al. Jana Pawła II 63;public transit and roads;people with disabilities,seniors,adults,youth,children;0;52.2489144893145;20.986506875358998
1942;403000;243;Tablice ogłoszeń na wolskich osiedlach;public space,welfare,culture;people with disabilities,seniors,adults,youth,children;0;52.232425630231;20.957794189453
1882;12200;197;Wola. Tablica INKA;public space,public transit and roads,education;people with disabilities,seniors,adults,youth,children;0;;
1463;9300;184;Warsztaty dot. karmienia piersią i wpływu na zdrowie dzieci - kontynuacja;education;adults;0;52.160799225809;21.237454223633
632;14500;183;MusicaLOVE;culture,education;youth,children;0;52.234153764482;20.96221446991
1461;51000;175;Muzykalny Smyk - kontynuacja;culture,education;adults,youth,children;0;52.2364038884915;20.959355905652
512;76500;154;Jednokierunkowa Krysta to więcej miejsca dla wszystkich;public space;people with disabilities,seniors;0;;
VOTES
voter_id;vote;age;sex;voting_method
36780;147,1040;36;M;internet
36787;147,1040;35;M;internet
36789;147,1040;31;M;internet
36791;163,234,268,320,442,451,699,1105,1210,1713,1935,1947,1956,2059,2093;46;M;internet
36792;147,1040;30;M;internet
36795;147,1040;38;F;internet
36801;147,1392,1864;7;F;internet
36802;667,1392;40;F;internet
36803;147,1040;37;M;internet
36807;147,1040;18;M;internet
36809;163,234,235,247,268,451,699,1273,1713,1854,1935,1956,1960,2017,2093;44;M;internet
36812;147,1040;37;M;internet
36813;162,163,234,235,268,326,442,982,1273,1713,1930,1935,1947,2017,2093;39;M;internet
36818;147,1040;88;F;internet
36820;1040,1392;23;F;internet
36824;147,1040;48;M;internet
36834;147,1040;46;F;internet
36836;163,234,235,246,247,699,882,1210,1273,1713,1935,1956,1960,2028,2093;44;M;internet
36837;147,1392,1864;5;F;internet
36843;147,163,234,412,584,667,882,1392,1654,1713,1854,1935,1944,1960,2093;41;M;internet
36845;147,1040;32;M;internet
36848;268,442,1971;48;F;internet
36861;1063;63;M;internet
36867;147;32;M;internet
36870;147,1040;36;M;internet
36873;268,442,1971;47;M;internet
36875;147,1040;58;F;internet
36885;147,1040;58;M;internet
36886;147;24;M;internet
36892;268,442,1971;24;M;internet
36899;147;21;F;internet
36901;147,1040;26;M;internet
36910;147,1040;25;M;internet
36918;147,1040;36;M;internet
36919;1673;68;M;internet
36920;147,1040;29;M;internet
36927;147,1040;32;M;internet
36933;147,1040;39;M;internet
36936;147,1040;39;M;internet
36937;147,1040;38;M;internet
36943;147,1040;6;F;internet
36944;163,326,1389,1713,1869;67;F;internet
36950;147,1040;11;F;internet
36955;1258;26;M;internet
36956;147,1040;10;M;internet
36962;147,1040;9;M;internet
36969;147,1040;8;M;internet
36975;147,1040;5;F;internet
36979;147,1040;3;M;internet
36985;147,1040;2;M;internet
36988;403,538,1673,1876,1883;48;F;internet
36997;147,1040;40;M;internet
36998;147,1040;24;M;internet
37007;147,1040;35;M;internet
37012;1673,2028,2056;44;F;internet
37013;147,1040;18;M;internet
37019;1040,1392;25;F;internet
37024;147,234,235,320,589,592,1392,1413,1654,1713,1883,1956,1960,2043,2093;37;M;internet
37026;147,234,235,320,326,699,1001,1392,1713,1935,1943,1956,1960,2074,2093;38;F;internet
37037;147,1040;24;M;internet
37039;147,1040;24;F;internet
37042;147,1040;1;M;internet
37051;147,1040,1040;27;M;internet
37065;1673;67;F;internet
37068;147,1040;20;M;internet
37085;147;36;M;internet
37097;147,1040;40;M;internet
37103;147,1040;28;M;internet
37105;147,1040;7;M;internet
37111;234,238,320,589,592,699,1105,1443,1713,1854,1883,1935,1971,2028,2074;29;F;internet
37112;147,1040;30;M;internet
37113;162,535,538,632,667,1441,1461,1943,1971,2017;64;M;internet
37118;147,1040;39;M;internet
37124;147,1040;28;M;internet
37129;147,163,326,592,974,1273,1389,1392,1713,1854,1864,1960,2017,2071,2093;16;M;internet
37130;235,1224,1389,1485,1673,1883,1935,1943,2074;44;F;internet
37132;147,1040;23;F;internet
37133;147,1040;43;F;internet
37134;247,451,538,592,882,982,1210,1463,1864,1883,1930,1950,1971,2017,2093;30;F;internet

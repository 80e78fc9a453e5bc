"""The story writer: one random.Random fills a storyline's slots (places, people, numbers,
dates) and makes the stories, their titles and kickers, and the texts of pages and releases."""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import date, timedelta

from digest.normalise import fold_words

from .places import (
    CITIES_BY_STATE,
    CITY_PLACES,
    FOREIGN,
    LAENDER,
    LAND_BY_STATE,
    LAND_NAMES,
    LAND_PLACES,
    LOCAL_BY_STATE,
    LOCAL_PLACES,
    Place,
    _slug,
)
from .story import Line, Story
from .storylines import SHARED, STORYLINES, TOPICS
from .util import de_int
from .vocab import (
    AREAS,
    ARTICLES,
    CHAT_TOPICS,
    COMPANIES,
    EVENT_NAMES,
    EVENTS,
    FEATURES,
    FINDINGS,
    FIRST_F,
    FIRST_M,
    FUND_TARGETS,
    INSTITUTES,
    JOBS,
    LAWS,
    MONTHS,
    NUMBER_WORDS,
    PARTS,
    PRODUCTS,
    PROGRAMMES,
    SEASONS,
    SERVICES,
    STAFF,
    SURNAMES,
    TASKS,
    THEMES,
    VERBUND_PATTERNS,
)

_HOLIDAYS = frozenset([(1, 1), (5, 1), (10, 3), (12, 24), (12, 25), (12, 26), (12, 31)])


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _is_quote(template: str) -> bool:
    return template.startswith("„")


class _Writer:
    """Makes stories, and the texts of pages and releases, from one random.Random."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.titles: set[str] = set()  # folded titles used so far (only looked up)
        self.topic_queue: list[str] = []
        self.fallback: dict[tuple[str, str], int] = {}
        self.fallbacks = 0
        self.weights = {t: [line.weight for line in lines] for t, lines in STORYLINES.items()}

    # -- context ---------------------------------------------------------------------------

    def next_topic(self) -> str:
        """Topics in shuffled rounds of four: an exact quarter each, in no fixed order."""
        if not self.topic_queue:
            self.topic_queue = list(TOPICS)
            self.rng.shuffle(self.topic_queue)
        return self.topic_queue.pop()

    def person(self) -> tuple[str, str, bool]:
        """A full name, the surname and whether she is a woman."""
        rng = self.rng
        female = rng.random() < 0.5
        surname = rng.choice(SURNAMES)
        return f"{rng.choice(FIRST_F if female else FIRST_M)} {surname}", surname, female

    def speaker(self, ctx: dict[str, str], place: Place | None, head: bool) -> None:
        """speaker: name and apposition; speaker_t: title and name (or the name alone)."""
        name, surname, female = self.person()
        if head and place is not None:
            title = place.head[female]
            ctx["speaker"] = f"{name}, {title} {place.gen}"
            ctx["speaker_t"] = f"{title} {name}"
        else:
            male_role, female_role, before = self.rng.choice(STAFF)
            role = female_role if female else male_role
            ctx["speaker"] = f"{name}, {role}"
            ctx["speaker_t"] = f"{role} {name}" if before else name
        ctx["surname"] = surname

    def neighbour(self, a: Place, pool: Mapping[str, tuple[Place, ...]]) -> Place:
        """Another place, from a's Land when it has one."""
        rng = self.rng
        near = pool[a.state]
        choices = near if len(near) > 1 else LOCAL_PLACES
        b = rng.choice(choices)
        while b is a:
            b = rng.choice(choices)
        return b

    def context(self, topic: str, line: Line, day: date) -> tuple[dict[str, str], Place | None]:
        """The slots of one story, and its place (None for a firm)."""
        rng = self.rng
        k = rng.randint(3, 24)
        few = rng.randint(2, 6)
        start = day + timedelta(days=rng.randint(1, 20))
        ctx: dict[str, str] = {
            "k": str(k), "k_w": NUMBER_WORDS[k] if k <= 12 else str(k),
            "k_cap": _cap(NUMBER_WORDS[k]) if k <= 12 else str(k),
            "few": NUMBER_WORDS[few], "k2": str(rng.randint(25, 160)),
            "many": str(rng.randint(12, 120)), "year": str(day.year + (day.month >= 10)),
            "next_year": str(day.year + 1), "month": MONTHS[(day.month + rng.randint(1, 4)) % 12],
            "season": rng.choice(SEASONS), "years": str(rng.randint(2, 12) * 5),
            "years_word": NUMBER_WORDS[rng.randint(3, 6)], "ord": str(rng.randint(2, 24)),
            "sdate": f"{start.day}. {MONTHS[start.month - 1]}",
        }  # fmt: skip
        where = line.places
        place: Place | None = None
        if where == "city":
            place = rng.choice(CITY_PLACES)
        elif where == "local":
            place = rng.choice(LOCAL_PLACES)
        elif where == "land":
            place = rng.choice(LAND_PLACES)
        elif where == "any":
            place = rng.choice(LAND_PLACES if rng.random() < 0.25 else LOCAL_PLACES)
        if place is not None:
            p = place
            ctx.update(
                place=p.name, nom=p.nom, Nom=_cap(p.nom), gen=p.gen, acc_short=p.acc_short,
                loc=p.loc, Loc=_cap(p.loc), region=p.region, owner=p.owner, Owner=_cap(p.owner),
                owner_gen=p.owner_gen, council=p.council, Council=_cap(p.council),
                office=p.office, slug=p.slug, credit=p.credit,
                land_loc=LAND_BY_STATE[p.state].loc,
            )  # fmt: skip
        getattr(self, "_" + topic)(ctx, line, place, day)
        return ctx, place

    def _partnerships(self, ctx: dict[str, str], line: Line, a: Place, day: date) -> None:
        rng = self.rng
        if line.places == "city" and rng.random() < 0.7:
            name, adj = rng.choice(FOREIGN)
            ctx.update(b=name, b_nom=f"die {adj} Stadt {name}")
        else:
            b = self.neighbour(a, CITIES_BY_STATE if line.places == "city" else LOCAL_BY_STATE)
            ctx.update(b=b.name, b_nom=b.nom)
        area, area_dat = rng.choice(AREAS)
        bei = "beim" + area_dat[3:] if area_dat.startswith("dem ") else "bei " + area_dat
        verbund = rng.choice(VERBUND_PATTERNS).format(LAENDER[a.state][0])
        ctx.update(
            area=area, area_bei=bei, Area_bei=_cap(bei), verbund=verbund,
            decade=str(rng.randint(196, 201) * 10),
        )  # fmt: skip
        self.speaker(ctx, a, rng.random() < 0.6)

    def _congresses(self, ctx: dict[str, str], line: Line, host: Place, day: date) -> None:
        rng = self.rng
        ev, gender, family = rng.choice(EVENTS)
        nom, acc, zum, beim, _ = ARTICLES[gender]
        name = f"„{rng.choice(EVENT_NAMES)}“"
        event_day = day + timedelta(days=rng.randint(10, 80))
        if line.name == "report":
            event_day = day - timedelta(days=rng.randint(1, 3))
        while event_day.weekday() > 4 or (event_day.month, event_day.day) in _HOLIDAYS:
            event_day += timedelta(days=1)  # events happen on working days
        early = day + (event_day - day) / 2
        n = rng.choice((80, 120, 150, 200, 250, 300, 400, 500, 600, 800, 1200, 1500, 2500))
        theme, theme2 = rng.sample(THEMES, 2)
        days = NUMBER_WORDS[rng.randint(2, 3)]
        guest, _, female = self.person()
        ctx.update(
            city=host.name, ev=ev, ev_name=name, evt=f"{ev} {name}", ev_nom=f"{nom} {ev}",
            Ev_nom=_cap(f"{nom} {ev}"), ev_acc=f"{acc} {ev}", ev_zum=zum, ev_beim=beim,
            family=family, parts=PARTS[family],
            talks=str(rng.randint(12, 80)),
            people=rng.choice(("Teilnehmende", "Besucherinnen und Besucher", "Gäste")),
            n_de=de_int(n + rng.randint(0, 9) * 10), theme=theme, theme2=theme2,
            edate=f"{event_day.day}. {MONTHS[event_day.month - 1]}",
            early=f"{early.day}. {MONTHS[early.month - 1]}",
            org=rng.choice((f"die Stadt {host.name}", f"das Digitalbüro der Stadt {host.name}",
                            "der Verein Digitale Kommune", f"die Hochschule {host.name}")),
            hours=str(rng.choice((24, 36, 48))), days=days, days_cap=_cap(days),
            guest=f"{guest}, {'Professorin' if female else 'Professor'} in "
            f"{rng.choice(CITY_PLACES).name}",
        )  # fmt: skip
        self.speaker(ctx, host, rng.random() < 0.4)

    def _policy(self, ctx: dict[str, str], line: Line, p: Place, day: date) -> None:
        rng = self.rng
        fund, fund_dat = rng.choice(FUND_TARGETS)
        ctx.update(
            target=str(day.year + rng.randint(3, 9)), fields=NUMBER_WORDS[rng.randint(4, 9)],
            mio=str(rng.randint(2, 90)), law=rng.choice(LAWS),
            deadline=str(day.year + rng.randint(1, 4)), prog=rng.choice(PROGRAMMES),
            fund=fund, fund_dat=fund_dat, pct=str(rng.choice((50, 60, 70, 75, 80, 90))),
            grant=de_int(rng.choice((50, 100, 150, 200, 250, 500)) * 1000),
            staff=str(rng.randint(3, 12)),
        )  # fmt: skip
        self.speaker(ctx, p, rng.random() < 0.7)

    def _other(self, ctx: dict[str, str], line: Line, p: Place | None, day: date) -> None:
        rng = self.rng
        service, gender = rng.choice(SERVICES)
        task, task_acc, verb = rng.choice(TASKS)
        art = ARTICLES[gender]
        inst_gen, _ = rng.choice(INSTITUTES)
        expert, _, expert_female = self.person()
        name, _, female = self.person()
        other, _, other_female = self.person()
        titles, post = rng.choice(JOBS)
        ctx.update(
            service=service, service_acc=f"{art[1]} {service}", Pron=_cap(art[4]), task=task,
            task_acc=task_acc, task_verb=verb, chat=rng.choice(CHAT_TOPICS),
            n_de=de_int(rng.randint(12, 900) * 100), n2_de=de_int(rng.randint(3, 99) * 50),
            pct=str(rng.randint(12, 88)), pct2=NUMBER_WORDS[rng.randint(3, 12)],
            finding=rng.choice(FINDINGS), rank=str(rng.randint(1, 80)), inst_gen=inst_gen,
            grade=f"{rng.randint(1, 3)},{rng.randint(0, 9)}", km=str(rng.randint(12, 480)),
            expert=f"{expert}, {'Studienleiterin' if expert_female else 'Studienleiter'}",
            person=name, person2=other, poss="ihren" if female else "seinen",
            pred_rel="die" if other_female else "der", since=str(day.year - rng.randint(4, 18)),
            new_role=titles[female], post=post[female],
        )  # fmt: skip
        if line.name == "personnel":
            ctx["Pron"] = "Sie" if female else "Er"
        if p is None:  # a firm
            company, short, postcode = rng.choice(COMPANIES)
            feature, feature_dat, feature_nom = rng.choice(FEATURES)
            name, _, female = self.person()
            role = ("Geschäftsführerin", "Geschäftsführer") if rng.random() < 0.5 else (
                "Produktmanagerin", "Produktmanager")  # fmt: skip
            ctx.update(
                company=company, company_short=short, product=rng.choice(PRODUCTS),
                feature=feature, feature_dat=feature_dat, feature_nom=feature_nom,
                version=f"{rng.randint(2, 12)}.{rng.randint(0, 9)}", slug=_slug(short),
                credit=company, speaker=f"{name}, {role[not female]} bei {short}",
                surname=name.split(" ")[-1], place=short, city=postcode.split(" ", 1)[1],
            )  # fmt: skip
        else:
            self.speaker(ctx, p, rng.random() < 0.5)

    # -- stories ---------------------------------------------------------------------------

    def story(self, day: date) -> Story:
        rng = self.rng
        topic = self.next_topic()
        line = rng.choices(STORYLINES[topic], self.weights[topic])[0]
        for _ in range(30):
            ctx, place = self.context(topic, line, day)
            title = rng.choice(line.titles).format_map(ctx)
            key = fold_words(title)
            if key not in self.titles:
                break
        else:
            title, key = self._fallback_title(topic, ctx)
        self.titles.add(key)
        kicker = self._kicker(line, ctx, place, title)
        city = place.city if place is not None else ctx["city"]
        return Story(topic, line, day, title, kicker, ctx, city)

    def _kicker(self, line: Line, ctx: dict[str, str], place: Place | None, title: str) -> str:
        """The place (two for a joint item), else, if the title names it, its Land or a rubric."""
        rng = self.rng
        if place is None:
            kicker = ctx["company_short"]
        elif line.joint and rng.random() < 0.7:
            kicker = f"{place.name} / {ctx['b']}"
        else:
            kicker = place.name
        if all(part in title for part in kicker.split(" / ")):
            land = LAENDER[place.state][0] if place is not None else ""
            if (
                place is not None
                and place.kind != "land"
                and land not in title
                and (rng.random() < 0.6)
            ):
                kicker = land
            else:
                rubrics = [r for r in line.rubrics if r not in title]
                fallback = ("Digitalisierung", "Kommunen", "Verwaltung")
                kicker = (
                    rng.choice(rubrics) if rubrics else next(r for r in fallback if r not in title)
                )
        return kicker

    def _fallback_title(self, topic: str, ctx: dict[str, str]) -> tuple[str, str]:
        """A title with a count that grows until it is new (rare: the templates ran short)."""
        self.fallbacks += 1
        pattern = {
            "partnerships": "{place} schließt {n}. Kooperationsvereinbarung im Bereich {area}",
            "congresses": "{n}. Digitalkongress in {city}",
            "policy": "{place} beschließt {n}. Digitalisierungsprogramm",
            "other": "{place} schaltet {n}. Online-Dienst frei",
        }[topic]
        slot = (topic, ctx["place"])
        while True:
            n = self.fallback.get(slot, 1) + 1
            self.fallback[slot] = n
            title = pattern.format_map({**ctx, "n": str(n)})
            key = fold_words(title)
            if key not in self.titles:
                return title, key

    # -- texts -----------------------------------------------------------------------------

    def lead(self, story: Story) -> str:
        return self.rng.choice(story.line.leads).format_map(story.ctx)

    def body(self, story: Story, paragraphs: int, most: int) -> list[str]:
        """`paragraphs` paragraphs of 2 to `most` sentences: no sentence twice, two quotes at
        most (the second attributed by surname)."""
        rng = self.rng
        line, ctx = story.line, story.ctx
        pool = list(line.sentences)
        if line.family:
            pool += line.family[ctx["family"]]
        pool += SHARED[story.topic]
        rng.shuffle(pool)
        quotes = mentions = 0
        out: list[str] = []
        sentences = iter(pool)
        for _ in range(paragraphs):
            paragraph: list[str] = []
            for template in sentences:
                if _is_quote(template):
                    if quotes == 2:
                        continue
                    quotes += 1
                if "{speaker" in template:
                    # The speaker is named in full the first time, by surname after that.
                    mentions += 1
                    name = "{speaker}" if mentions == 1 else ctx["surname"]
                    template = template.replace("{speaker_t}", name).replace("{speaker}", name)
                paragraph.append(template.format_map(ctx))
                if len(paragraph) == most or (len(paragraph) >= 2 and rng.random() < 0.4):
                    break
            if len(paragraph) < 2:
                if paragraph and out:
                    out[-1] += " " + paragraph[0]
                elif paragraph:
                    out.append(paragraph[0])
                break
            out.append(" ".join(paragraph))
        return out

    def caption(self, story: Story) -> str:
        return self.rng.choice(story.line.captions).format_map(story.ctx)

    def keywords(self, story: Story, section: str) -> str:
        ctx = story.ctx
        words = [section, ctx["place"]]
        if " / " in story.kicker:
            words.append(ctx["b"])
        elif story.kicker in LAND_NAMES:
            words.append(story.kicker)
        words += story.line.keywords
        if "ev" in ctx:
            words.append(ctx["ev"])
        return ", ".join(dict.fromkeys(words))

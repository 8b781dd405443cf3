"""The person's own safety plan, in the shape of Stanley & Brown's Safety Planning Intervention
(2012): their words, shown and read back to them on the device. Nothing is ever dialled or sent.

Stanley, B., & Brown, G. K. (2012). Safety Planning Intervention: A Brief Intervention to Mitigate
Suicide Risk. Cognitive and Behavioral Practice, 19(2), 256-264.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

#: The steps of the plan, in the order of the intervention: key -> heading.
STEPS: dict[str, str] = {
    "warning_signs": "Warning signs",
    "on_my_own": "Things I can do on my own",
    "distractions": "People and places that distract me",
    "people": "People I can ask for help",
    "professionals": "Professionals I can contact",
    "crisis_line": "A crisis line",
    "safe_surroundings": "Making my surroundings safe",
}


def offer(long_hold_s: float) -> str:
    """Where the reach-out message points, when a plan is kept (the long hold in idle)."""
    return (
        f"Your safety plan is on the box: keep holding the button for {long_hold_s:.0f} s "
        "when it is idle."
    )


@dataclass(frozen=True)
class SafetyPlan:
    """The ``safety_plan:`` section: each step a list of the person's own lines."""

    warning_signs: tuple[str, ...] = ()
    on_my_own: tuple[str, ...] = ()
    distractions: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    professionals: tuple[str, ...] = ()
    crisis_line: tuple[str, ...] = ()
    safe_surroundings: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not any(getattr(self, f.name) for f in fields(self))

    def steps(self) -> list[tuple[str, tuple[str, ...]]]:
        """(heading, lines) for each step the person filled in, in the plan's order."""
        return [(STEPS[key], getattr(self, key)) for key in STEPS if getattr(self, key)]


#: No plan kept.
NO_PLAN = SafetyPlan()


def plan_text(plan: SafetyPlan) -> str:
    """The plan as text to read (`calmkit plan`, the window, the terminal)."""
    if plan.empty:
        return (
            "No safety plan is kept yet. Add a safety_plan: section to your config file "
            '(see README, "A safety plan"); it stays on this box.'
        )
    lines = ["My safety plan"]
    for heading, items in plan.steps():
        lines.append("")
        lines.append(f"{heading}:")
        lines.extend(f"  - {item}" for item in items)
    lines.append("")
    lines.append("calmkit is not a crisis service: it dials and sends nothing.")
    return "\n".join(lines)


def spoken_text(plan: SafetyPlan) -> str:
    """The plan as one text for a voice to read aloud, a pause after each step."""
    parts = []
    for heading, items in plan.steps():
        parts.append(f"{heading}. " + ". ".join(item.rstrip(".") for item in items) + ".")
    return "\n\n".join(parts)

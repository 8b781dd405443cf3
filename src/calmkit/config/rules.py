"""The safety rules (calmkit.safety) on the checked programs, each breach located in the
person's file."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from calmkit.config.library import _Library
from calmkit.config.nodes import _Node
from calmkit.core.programs import Program, chain_order, expand
from calmkit.core.safety import breaches, switch_hold_breach
from calmkit.core.settings import LightConfig


class _Rules(_Library):
    """The output rules on every program as it plays."""

    def safety(
        self, programs: Mapping[str, Program], light: LightConfig | None, light_node: _Node | None
    ) -> None:
        """The output rules (safety.py) on every program as it plays, its chain included.

        A breach that starts in a chained program which breaks the same rule on its own is
        reported there only; one that a chain makes (a hold running into the next program's
        hold) is reported at the ``then`` that makes it. A packaged program is never blamed for
        what the person's file did to it: their program in its chain, or their light settings.
        """
        floor, gamma, fps = (
            (0.03, 2.2, 50) if light is None else (light.floor, light.gamma, light.fps)
        )
        packaged_light = (
            light_node is None
            or not isinstance(light_node.value, dict)
            or all(
                key not in light_node.value or light_node.value[key].layer == 0
                for key in ("floor", "gamma", "fps")
            )
        )
        plans = {}
        for name in programs:
            if name not in self.chains_ok:
                continue
            plan = expand(name, programs)
            # the packaged programs as packaged are checked by the tests (test_safety.py): at
            # start-up only what the person's file wrote or changed is checked again
            if packaged_light and all(
                self.infos[program].node.layer == 0 for program in chain_order(name, programs)
            ):
                continue
            plans[name] = plan
        found = {name: breaches(plan, floor, gamma, fps) for name, plan in plans.items()}
        for name, found_here in found.items():
            info = self.infos[name]
            for breach in found_here:
                steps = plans[name].steps
                owner = steps[breach.index].program
                if owner == name == steps[breach.end_index].program:
                    where, path = info.node, info.path
                elif owner != steps[breach.end_index].program or not any(
                    other.rule == breach.rule for other in found.get(owner, ())
                ):
                    where, path = info.then_node or info.node, f"{info.path}.then"
                else:
                    continue
                if where.layer == 0:
                    where, path = self.persons_part(steps, breach, light_node, where, path)
                self.problem(where, path, breach.message)
        self.switch_holds(programs)

    def switch_holds(self, programs: Mapping[str, Program]) -> None:
        """ "Not helping" switches to the next fallback at once, even in a breath hold: the
        program switched to must not open with a hold that makes it too long."""
        reported: set[int] = set()  # one problem a line: the person's ground, not each caller
        for name, info in self.infos.items():
            order = [name, *(target for target, _, _ in info.fallback)]
            for index, (target, node, path) in enumerate(info.fallback):
                current = order[index]
                if not {current, target} <= self.chains_ok:
                    continue
                involved = [self.infos[target], self.infos[current]]
                if node.layer == 0 and all(other.node.layer == 0 for other in involved):
                    continue  # packaged, and checked by the tests
                breach = switch_hold_breach(expand(current, programs), expand(target, programs))
                if breach is None:
                    continue
                where, where_path = node, path
                if node.layer == 0:  # the person's program in a packaged fallback list
                    persons = next(other for other in involved if other.node.layer > 0)
                    where, where_path = persons.node, persons.path
                if id(where) not in reported:
                    reported.add(id(where))
                    self.problem(where, where_path, breach.message)

    def persons_part(
        self,
        steps: tuple[Any, ...],
        breach: Any,
        light_node: _Node | None,
        where: _Node,
        path: str,
    ) -> tuple[_Node, str]:
        """What in the person's file made a packaged program break a rule (else: the defaults,
        where it is a bug of calmkit's own)."""
        for planned in steps[breach.index : breach.end_index + 1]:
            info = self.infos.get(planned.program)
            if info is not None and info.node.layer > 0:
                return info.node, info.path
        if light_node is not None and isinstance(light_node.value, dict):
            for key in ("gamma", "floor", "fps"):
                node = light_node.value.get(key)
                if node is not None and node.layer > 0:
                    return node, f"light.{key}"
        return where, path

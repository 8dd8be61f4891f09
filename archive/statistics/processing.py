"""How long each step took, how many chains ended late, how many cases were sent back.

A step's time is from the decision before it on the same chain run (or the run's start) to its
own decision, as the sign-off history records them; decisions made in the period count. A
chain ends late when the China date it finished is after its deadline (`chain_due_on`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, case, distinct, func, select
from sqlalchemy.orm import Session, aliased

from archive.models import SignOff, WorkflowInstance, WorkflowStatus
from archive.statistics.claims import ratio
from archive.statistics.period import Period
from archive.statistics.sql import local_date, of_visible_cases, seconds_between

ENDED = (WorkflowStatus.APPROVED, WorkflowStatus.REJECTED)


@dataclass(frozen=True)
class StepTime:
    definition: str
    step: str
    decisions: int
    returns: int  # sent back for correction (退回补正) at this step
    mean_hours: float
    max_hours: float


@dataclass(frozen=True)
class ChainDeadlines:
    definition: str
    finished: int
    late: int

    @property
    def late_ratio(self):  # 超期率
        return ratio(self.late, self.finished)


@dataclass(frozen=True)
class Processing:
    steps: list[StepTime]
    chains: list[ChainDeadlines]
    returns: int
    returned_cases: int

    @property
    def finished(self) -> int:
        return sum(chain.finished for chain in self.chains)

    @property
    def late(self) -> int:
        return sum(chain.late for chain in self.chains)

    @property
    def late_ratio(self):
        return ratio(self.late, self.finished)


def processing(session: Session, period: Period, visible: ColumnElement[bool]) -> Processing:
    dialect = session.get_bind().dialect.name
    earlier = aliased(SignOff)
    previous = (select(func.max(earlier.signed_at))
                .where(earlier.instance_id == SignOff.instance_id, earlier.seq < SignOff.seq)
                .scalar_subquery())
    is_return = SignOff.decision == "return"
    decided = (select(WorkflowInstance.definition, SignOff.step, SignOff.case_id, is_return.label("returned"),
                      seconds_between(SignOff.signed_at, func.coalesce(previous, WorkflowInstance.started_at),
                                      dialect).label("seconds"))
               .join(WorkflowInstance, WorkflowInstance.id == SignOff.instance_id)
               .where(SignOff.signed_at >= period.start, SignOff.signed_at < period.end,
                      of_visible_cases(SignOff.case_id, visible))
               # OFFSET 0: worked out as its own step, or PostgreSQL folds it into the
               # aggregate and looks up each previous decision once per use of `seconds`.
               .offset(0).subquery("decided"))
    returned = case((decided.c.returned, 1), else_=0)
    steps = [StepTime(definition, step, count, int(returns), round(mean / 3600, 2), round(longest / 3600, 2))
             for definition, step, count, returns, mean, longest in session.execute(
                 select(decided.c.definition, decided.c.step, func.count(), func.sum(returned),
                        func.avg(decided.c.seconds), func.max(decided.c.seconds))
                 .group_by(decided.c.definition, decided.c.step)
                 .order_by(decided.c.definition, decided.c.step))]
    returns, returned_cases = session.execute(
        select(func.count(), func.count(distinct(SignOff.case_id)))
        .where(SignOff.signed_at >= period.start, SignOff.signed_at < period.end,
               of_visible_cases(SignOff.case_id, visible),
               SignOff.decision == "return")).one()
    late = local_date(WorkflowInstance.finished_at, dialect) > WorkflowInstance.chain_due_on
    chains = [ChainDeadlines(definition, finished, int(late_count))
              for definition, finished, late_count in session.execute(
                  select(WorkflowInstance.definition, func.count(), func.sum(case((late, 1), else_=0)))
                  .where(WorkflowInstance.status.in_(ENDED), WorkflowInstance.finished_at >= period.start,
                         WorkflowInstance.finished_at < period.end,
                         of_visible_cases(WorkflowInstance.case_id, visible))
                  .group_by(WorkflowInstance.definition).order_by(WorkflowInstance.definition))]
    return Processing(steps, chains, int(returns), int(returned_cases))

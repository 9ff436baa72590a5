"""`designkit new`: a spec skeleton with every field, commented, that validates and builds.

Every prose field holds a ``TODO`` the build warns about until it is replaced.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import SpecError
from ..model.spec import slugify

SKELETON = """\
# {title}: a designkit spec. Fill in every TODO, then run
#   designkit validate {file}     (checks it, names any field that is wrong)
#   designkit estimate {file}     (the capacity numbers)
#   designkit build {file}        (the article, in build/{slug}/)
# Quantities are written as people say them: "100 million", "10K", "1.27 KB", "5 years",
# "10 million/month", "400/s", "4x", "20%". `designkit schema` prints the full JSON Schema.

name: {name}
summary: >-
  TODO: two or three sentences. What does {title} do, and why is it hard at scale?
interview_context:
  key_challenge: "TODO: the one thing the interview is really about"
  main_trade_off: "TODO: the trade-off you must be ready to discuss"

scale:
  # Per-user form (or replace these four with totals: reads: 100 million/day, writes: 1 million/day)
  # Unsure of an input? Give a range, "low .. high" or "low .. likely .. high": the article then
  # says how far each figure could move and which assumption matters most.
  users: 10 million                     # registered users
  daily_active_users: 1 million         # or daily_active_fraction: 10%
  requests_per_user_per_day: 20
  read_write_ratio: "10:1"              # reads:writes; "0:1" = every request writes a record
  # reads_per_user_per_day: 0.5         # reads on top of those (a write-only firehose's dashboards)
  peak_factor: 2x .. 3x                 # peak QPS / average QPS: a range, as an example
  record_size: 1 KB                     # bytes stored per write
  retention: 5 years
  response_size: 1 KB                   # bytes returned per read (default: record_size)
  cache_fraction: 20%                   # share of a day's reads worth caching
  server_qps: 1000                      # requests/s one app server handles
  replication_factor: 3

requirements:
  functional:
    - name: "TODO: core feature"
      description: "TODO: what it does"
  non_functional:
    - name: Availability
      target: 99.9%
      rationale: "TODO: why this target"
    - name: Latency
      target: p99 < 200ms               # p<N> < time: checked against the model's tail latency
      path: read                        # read, write or both (the default)
      rationale: "TODO: why this target"

components:   # kinds: load_balancer, gateway, service, cache, database, queue, cdn, object_store, search, other
  - name: Load Balancer
    kind: load_balancer
    responsibility: Distribute traffic, terminate TLS
    technology: "TODO: e.g. Nginx / AWS ALB"
    capacity: 50K/s                     # requests/s one replica sustains
    replicas: 2
    availability: 99.99%                # per replica
    detection_seconds: 10
    failover_seconds: 5
  - name: App Service
    kind: service
    responsibility: "TODO: what the service does"
    technology: "TODO: language / framework"
    capacity: 1000/s
    replicas: 4
    availability: 99.9%
    detection_seconds: 10
    failover_seconds: 15
  - name: Cache
    kind: cache
    responsibility: Serve hot reads from memory
    technology: "TODO: e.g. Redis Cluster"
    capacity: 100K/s
    memory: 64 GB                       # per node
    replicas: 2
    availability: 99.9%
    hit_ratio: 80%                      # share of reads answered from memory
    detection_seconds: 10
    failover_seconds: 20
    replication: async
  - name: Database
    kind: database
    responsibility: Durable storage of records
    technology: "TODO: e.g. PostgreSQL"
    capacity: 5K/s                      # reads/s per replica
    write_capacity: 2K/s                # writes/s per primary
    storage: 10 TB                      # per node
    replicas: 3
    availability: 99.95%
    detection_seconds: 15
    failover_seconds: 30
    replication: async                  # sync = no data loss on failover, async = a little
    # monthly_cost: $1,200              # replaces the priced figure (e.g. a managed service's invoice)
read_path: [Load Balancer, App Service, Cache, Database]
write_path: [Load Balancer, App Service, Database]

# prices:                               # the monthly bill uses AWS list prices; replace any of them
#   node_hour: {{service: $0.0768}}       # per node-hour, by kind
#   storage_gb_month: {{database: $0.10}}
#   egress_gb: $0.05

core_components:
  - name: "TODO: component to explain in depth"
    challenge: "TODO: the problem it solves"
    options:
      - {{name: "TODO: first option", pros: ["TODO"], cons: ["TODO"]}}
      - {{name: "TODO: second option", pros: ["TODO"], cons: ["TODO"]}}
    approach: "TODO: the option we chose and why"
    pseudocode: |
      TODO: at most 15 lines
    why_not:
      alternative: "TODO: the obvious alternative"
      reason: "TODO: why not"
    interviewer_asks:
      question: "TODO: a likely follow-up question"
      answer: "TODO: the answer"

data_model:
  schema: |
    -- TODO: the main tables
    CREATE TABLE records (
        id          BIGINT PRIMARY KEY,
        created_at  TIMESTAMP NOT NULL
    );
  access_patterns:
    - {{query: Get by ID, frequency: "TODO: how often", index: Primary key}}
  database_choice:
    question: Why did you choose SQL or NoSQL?
    answer: "TODO: based on access patterns, consistency and scale"

decisions:
  - area: "TODO: decision area"
    options:
      - {{name: "TODO: option one", trade_off: "TODO: better for X, worse for Y"}}
      - {{name: "TODO: option two", trade_off: "TODO: better for Y, worse for X"}}
    choice: "TODO: option one"
    alternative: "TODO: option two"
    rationale: "TODO: why, tied to a number from the estimate"

bottlenecks:
  - {{bottleneck: "TODO: what saturates", symptom: "TODO: what you see", mitigation: "TODO: what you do"}}

interview_tips:
  deep_dives: ["TODO: an area to explore in the 25-40 minute slot"]
  key_phrases:
    - {{instead: "TODO: a vague phrase", say: "TODO: the precise one"}}
  follow_ups:
    - {{question: "TODO: a follow-up question", key_points: "TODO: the key points"}}

takeaways:
  concepts:
    - {{name: "TODO: concept", explanation: "TODO: one sentence"}}
  trade_offs:
    - {{trade_off: "TODO: A vs B", choose_a: "TODO: when A", choose_b: "TODO: when B"}}

references:
  - {{title: "TODO: a source for the numbers", url: "https://example.com/TODO"}}
"""


def write_skeleton(name: str, folder: Path, *, force: bool = False) -> Path:
    """Write <slug>.yaml in ``folder`` (never elsewhere) and return its path."""
    clean = " ".join(name.split())
    if not clean:
        raise SpecError("designkit new", "expected a system name, e.g. 'Chat System'")
    slug = slugify(clean)
    path = folder / f"{slug}.yaml"
    if path.exists() and not force:
        raise SpecError(str(path), "already exists; pass --force to overwrite it")
    path.write_text(SKELETON.format(name=json.dumps(clean), title=clean, slug=slug, file=path.name),
                    encoding="utf-8")
    return path

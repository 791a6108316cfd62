"""A realistic noisy suite for bench_stats.py: six engineering questions, each with the
expected answer and hand-written answers a stochastic model gives to it (temperature > 0:
same facts, other words, sometimes a detail more or less). For the three critical cases,
`worse` holds what a real regression produces: answers that drop or blur a key fact.
"""

from __future__ import annotations

CASES = {
    "refund-window": {
        "critical": True,
        "expected": "Customers can request a refund within 30 days of purchase; refunds "
        "are paid back to the original payment method within 5 business days.",
        "good": [
            "You can ask for a refund within 30 days of buying. The money goes back to the "
            "original payment method within 5 business days.",
            "Refunds can be requested up to 30 days after purchase and are returned to the "
            "card or account you paid with within 5 business days.",
            "Within 30 days of purchase a customer may request a refund; it is paid to the "
            "original payment method in 5 business days.",
            "Our policy allows refunds for 30 days after the purchase. Once approved, the "
            "refund reaches the original payment method within five business days.",
            "A refund is possible within 30 days of purchase, paid back within 5 business "
            "days to the payment method used.",
            "Customers have 30 days from purchase to request a refund, and it is credited "
            "to the original payment method within 5 business days.",
            "Refund requests are accepted for 30 days after purchase, and the amount goes "
            "back to your original payment method within 5 business days.",
        ],
        "worse": [
            "You can ask for a refund within 30 days of buying it.",
            "Refunds can be requested up to 30 days after purchase; contact support to start one.",
            "A refund is paid back to the original payment method within 5 business days.",
            "Customers have 30 days to request a refund. Processing times vary.",
            "Within 30 days of purchase a customer may request a refund, which is usually "
            "processed within a week or two.",
            "Refunds go back to the payment method you used, typically within a few "
            "business days of the request.",
        ],
    },
    "rollback-deploy": {
        "critical": True,
        "expected": "Roll back with `kubectl rollout undo deployment/api`, then check the "
        "pods with `kubectl rollout status deployment/api` and watch the error rate.",
        "good": [
            "Run `kubectl rollout undo deployment/api`, then confirm with `kubectl rollout "
            "status deployment/api` and keep an eye on the error rate.",
            "Use kubectl rollout undo deployment/api to roll back. Afterwards check kubectl "
            "rollout status deployment/api and watch the error rate dashboard.",
            "To roll back: `kubectl rollout undo deployment/api`. Then verify the rollout "
            "with `kubectl rollout status deployment/api` and monitor errors.",
            "Undo the rollout with `kubectl rollout undo deployment/api`, wait for `kubectl "
            "rollout status deployment/api` to report success, and watch the error rate.",
            "kubectl rollout undo deployment/api reverts to the previous version; check it "
            "with kubectl rollout status deployment/api and watch the error rate drop.",
            "First `kubectl rollout undo deployment/api`. Then `kubectl rollout status "
            "deployment/api` to make sure the pods are healthy, and monitor the error rate.",
        ],
        "worse": [
            "Run `kubectl rollout undo deployment/api` to go back to the previous version.",
            "Use kubectl rollout undo deployment/api, then check that the pods are running.",
            "Roll back with `kubectl rollout undo deployment/api` and watch the dashboards.",
            "kubectl rollout undo deployment/api reverts the deployment; afterwards watch the "
            "error rate.",
            "Undo the last rollout of the api deployment with kubectl and check the rollout "
            "status.",
            "Check `kubectl rollout status deployment/api`; if it is unhealthy, undo the rollout.",
        ],
    },
    "db-failover": {
        "critical": True,
        "expected": "If the primary database fails, promote the replica with `pg_ctl "
        "promote`, point the application at it through the `DATABASE_URL` secret and "
        "restart the API pods.",
        "good": [
            "Promote the replica with `pg_ctl promote`, update the DATABASE_URL secret to "
            "point at it, and restart the API pods.",
            "When the primary is down, run pg_ctl promote on the replica, change the "
            "DATABASE_URL secret to the new primary and restart the API pods.",
            "Failover: `pg_ctl promote` on the replica, then set DATABASE_URL to the promoted "
            "server and restart the API pods so they reconnect.",
            "Promote the standby using pg_ctl promote. Point the app at it by updating the "
            "DATABASE_URL secret, then restart the API pods.",
            "If the primary database fails: promote the replica (`pg_ctl promote`), switch "
            "the `DATABASE_URL` secret over to it and restart the API pods.",
            "Run `pg_ctl promote` on the replica so it becomes the primary, update the "
            "DATABASE_URL secret, and do a rolling restart of the API pods.",
            "The replica takes over after `pg_ctl promote`; then the DATABASE_URL secret must "
            "point to it and the API pods need a restart.",
        ],
        "worse": [
            "Promote the replica with `pg_ctl promote` and restart the API pods.",
            "Run pg_ctl promote on the replica and update the DATABASE_URL secret.",
            "Promote the standby to primary, point the application at it and restart the API.",
            "Fail over by promoting the replica (`pg_ctl promote`); the application will "
            "need the new connection string.",
            "Update the DATABASE_URL secret to point at the replica and restart the API pods.",
            "If the primary fails, promote the replica with pg_ctl promote and check that "
            "the API reconnects.",
        ],
    },
    "rate-limit-429": {
        "critical": False,
        "expected": "A 429 means the client exceeded 100 requests per minute; retry after "
        "the number of seconds in the `Retry-After` header, with exponential backoff.",
        "good": [
            "429 Too Many Requests: you went over 100 requests per minute. Wait for the "
            "seconds given in Retry-After, then retry with exponential backoff.",
            "The API returns 429 once a client sends more than 100 requests a minute; "
            "honour the Retry-After header and back off exponentially.",
            "You hit the limit of 100 requests per minute. Retry after the Retry-After "
            "seconds and use exponential backoff for further retries.",
            "HTTP 429 means rate limited (over 100 req/min). Read `Retry-After`, sleep that "
            "long, then retry with exponential backoff.",
            "It signals too many requests: the limit is 100 per minute. Back off "
            "exponentially and respect the Retry-After header before retrying.",
            "A 429 is the rate limiter: more than 100 requests in a minute. Retry once the "
            "Retry-After delay has passed, backing off exponentially.",
        ],
    },
    "oncall-escalation": {
        "critical": False,
        "expected": "Page the on-call engineer through PagerDuty; if nobody acknowledges "
        "within 15 minutes the incident escalates to the engineering manager.",
        "good": [
            "Page the on-call engineer in PagerDuty. If it isn't acknowledged within 15 "
            "minutes, it escalates to the engineering manager.",
            "Use PagerDuty to page whoever is on call; unacknowledged pages escalate to the "
            "engineering manager after 15 minutes.",
            "Trigger a PagerDuty incident for the on-call engineer. No acknowledgement in 15 "
            "minutes means it goes to the engineering manager.",
            "PagerDuty pages the on-call engineer first, and after 15 minutes without an "
            "ack the engineering manager is paged.",
            "Page on-call via PagerDuty; the escalation policy moves it to the engineering "
            "manager if nobody acknowledges within 15 minutes.",
            "Open an incident in PagerDuty so the on-call engineer is paged. The engineering "
            "manager gets it when there's no acknowledgement within a quarter of an hour.",
            "Through PagerDuty: the on-call engineer is paged, and the incident escalates to "
            "the engineering manager after 15 unacknowledged minutes.",
        ],
    },
    "log-retention": {
        "critical": False,
        "expected": "Application logs are kept for 30 days in Loki; audit logs are kept "
        "for one year in the S3 bucket `audit-logs`.",
        "good": [
            "Application logs stay in Loki for 30 days, audit logs for one year in the S3 "
            "bucket audit-logs.",
            "We keep app logs 30 days (Loki) and audit logs a year in S3, bucket `audit-logs`.",
            "Loki retains application logs for 30 days. Audit logs are stored for one year "
            "in the audit-logs S3 bucket.",
            "30 days for application logs in Loki; one year for audit logs, which live in "
            "the S3 bucket audit-logs.",
            "Retention: application logs 30 days in Loki, audit logs 12 months in S3 "
            "(`audit-logs` bucket).",
            "Application logs are deleted from Loki after 30 days, while audit logs are "
            "kept for a year in the `audit-logs` bucket on S3.",
        ],
    },
}

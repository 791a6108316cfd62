"""Risk extraction of the example pipeline."""


def risks(description: str) -> str:
    found = []
    if "migration" in description:
        found.append("The PR changes the database migration for the invoices table")
    if "removes the retry" in description:
        found.append(
            "it removes the retry around the payment provider call, so failed "
            "payments may no longer be retried"
        )
    return (" and ".join(found) + ".") if found else "No notable risks found."

"""Join tokens as swarmkit makes and checks them (ca/config.go GenerateJoinToken, ParseJoinToken).

A v1 token is `SWMTKN-1-<D>-<S>`: D is the SHA-256 digest of the root CA certificate in base 36,
padded to 50 characters, S 128 random bits in base 36, padded to 25. The worker and manager tokens
share D. The simulated swarm has no certificate, so D and both secrets are derived from the scenario
seed: the same seed prints the same token, which a later `docker swarm join` step can then use.
"""
from __future__ import annotations

import hashlib
import string
from dataclasses import dataclass

_BASE36 = string.digits + string.ascii_lowercase
DIGEST_LEN, SECRET_LEN = 50, 25

INVALID_TOKEN = "Error response from daemon: invalid join token"
WRONG_SECRET = ("Error response from daemon: rpc error: code = InvalidArgument desc = A valid join token is "
                "necessary to join this cluster")


def _base36(n: int, width: int) -> str:
    digits = []
    while n:
        n, d = divmod(n, 36)
        digits.append(_BASE36[d])
    return "".join(reversed(digits)).rjust(width, "0")


def _derived(seed: int, name: str, size: int) -> int:
    return int.from_bytes(hashlib.blake2b(f"{seed}:{name}".encode(), digest_size=size).digest(), "big")


def derived_id(seed: int, name: str) -> str:
    """A 25-character base-36 ID (identity.NewID's form) for a swarm-wide object, from the seed alone."""
    return _base36(_derived(seed, name, 16), SECRET_LEN)[-SECRET_LEN:]


@dataclass(frozen=True, slots=True)
class JoinTokens:
    worker: str
    manager: str

    @classmethod
    def for_seed(cls, seed: int) -> JoinTokens:
        ca = _base36(_derived(seed, "ca-digest", 32), DIGEST_LEN)
        return cls(*(f"SWMTKN-1-{ca}-{_base36(_derived(seed, f'join.{role}', 16), SECRET_LEN)}"
                     for role in ("worker", "manager")))

    def rotated(self, seed: int, role: str, generation: int) -> JoinTokens:
        """`docker swarm join-token --rotate ROLE`: a new secret for that role (the CA's digest stays), the
        `generation`-th the swarm made; the old token is refused from then on."""
        token = f"SWMTKN-1-{self.ca_digest}-{_base36(_derived(seed, f'join.{role}.{generation}', 16), SECRET_LEN)}"
        return JoinTokens(**{"worker": self.worker, "manager": self.manager, role: token})

    @property
    def ca_digest(self) -> str:
        return self.worker.split("-")[2]

    def role(self, token: str, placeholders: bool = False) -> str:
        """The role `token` joins as, or the daemon's error (text starting "Error") saying why it cannot.

        With `placeholders` (a swarm the scenario declared joined, whose token no one saw) a made-up
        token such as `SWMTKN-1-worker-token` is taken too, its role read from its words."""
        parts = token.split("-")
        if placeholders and not (len(parts) == 4 and len(parts[2]) == DIGEST_LEN and len(parts[3]) == SECRET_LEN):
            return "manager" if "manager" in token.lower() else "worker"
        if len(parts) != 4 or parts[0] != "SWMTKN" or parts[1] != "1" or not parts[2] or \
                any(ch not in _BASE36 for ch in parts[2].lower()):
            return INVALID_TOKEN
        if parts[2].lower() != self.ca_digest:  # big.Int SetString(base 36) reads either case
            return (f"Error response from daemon: remote CA does not match fingerprint. Expected: "
                    f"{int(parts[2], 36):064x}")
        if token == self.worker:
            return "worker"
        if token == self.manager:
            return "manager"
        return WRONG_SECRET

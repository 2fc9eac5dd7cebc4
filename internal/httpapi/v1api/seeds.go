package v1api

import (
	"net/http"
	"time"

	"github.com/arcadehq/arcade/internal/casino/bets"
	"github.com/arcadehq/arcade/internal/httpapi"
	"github.com/arcadehq/arcade/internal/seeds"
)

// SeedCommit is GET /api/v1/seed/commit.
type SeedCommit struct {
	SeedID      string    `json:"seed_id"`
	SeedHash    string    `json:"seed_hash"`
	CommittedAt time.Time `json:"committed_at"`
}

// SeedReveal is GET /api/v1/seed/reveal.
type SeedReveal struct {
	SeedID    string    `json:"seed_id"`
	Seed      string    `json:"seed"`
	SeedHash  string    `json:"seed_hash"`
	RotatedAt time.Time `json:"rotated_at"`
}

// Rotation answers the operator's rotation.
type Rotation struct {
	Retired SeedReveal `json:"retired"`
	Active  SeedCommit `json:"active"`
}

func commit(c bets.SeedCommit) SeedCommit { return SeedCommit{c.ID, c.Commitment, c.CommittedAt} }

func reveal(r seeds.Revealed) SeedReveal { return SeedReveal{r.ID, r.Seed, r.Commitment, r.RotatedAt} }

func (a *API) registerSeeds(rt *httpapi.Router) {
	a.handle(rt, route{op: a.Ops.Commit, http: httpapi.Op{Method: "GET", Path: "/api/v1/seed/commit", ID: "getSeedCommit", Tag: "fairness",
		Summary: "Active server-seed commitment (hash). Snapshot before betting; also serves as a liveness probe.", Resp: SeedCommit{}},
		decode: func(*http.Request) (any, error) { return nil, nil },
		render: func(out any) any { return commit(out.(bets.SeedCommit)) }})
	a.handle(rt, route{op: a.Ops.Reveal, http: httpapi.Op{Method: "GET", Path: "/api/v1/seed/reveal", ID: "getSeedReveal", Tag: "fairness",
		Summary: "Reveal the raw bytes of a rotated server seed. Locked until rotation.", Resp: SeedReveal{},
		Params: []httpapi.Param{{Name: "seed_id", In: "query", Required: true}}},
		decode: func(r *http.Request) (any, error) { return bets.ByID{ID: r.URL.Query().Get("seed_id")}, nil },
		render: func(out any) any { return reveal(out.(seeds.Revealed)) }})
	a.handle(rt, route{op: a.Ops.Rotate, http: httpapi.Op{Method: "POST", Path: "/api/v1/seed/rotate", ID: "rotateSeed", Tag: "fairness",
		Resp: Rotation{}, Description: "Arcade's operator route (platform key): the active seed is retired and can be revealed."},
		decode: func(*http.Request) (any, error) { return nil, nil },
		render: func(out any) any {
			r := out.(bets.Rotation)
			return Rotation{reveal(r.Retired), commit(r.Active)}
		}})
}

package loadgen

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"sync"

	"github.com/arcadehq/arcade/internal/client"
)

// PersonaPath is the persona profile's chat: the SDK's routes for the shipped example Merchant
// Kael, which every key may play.
const PersonaPath = "/api/v1/sdk/chat/merchant-kael"

// personaProfile plays rule-based persona turns: POST PersonaPath/message. Each request takes a
// player of its agent that no other request is using (players are opened on demand: init-session,
// then a greeting, which moves Kael to haggling), and says words that name no price: a redirect
// that costs nothing and keeps the session open. A session that its 500-message cap ended (409)
// is opened again by the next request that takes that player. The opening calls are part of the
// request that needed them, so their time is charged to it.
func personaProfile(Config) Profile {
	var pools sync.Map // agent ID → *playerPool
	say := func(usid, msg string) []byte {
		b, _ := json.Marshal(map[string]string{"user_session_id": usid, "message": msg})
		return b
	}
	return func(ctx context.Context, a *Agent) error {
		cl := a.Client()
		v, _ := pools.LoadOrStore(a.ID, &playerPool{})
		pool := v.(*playerPool)
		p := pool.take(cl, a.ID)
		ok := false
		defer func() { pool.give(cl, p, ok) }()
		if !p.open {
			init, _ := json.Marshal(map[string]string{"user_session_id": p.usid})
			if err := cl.Do(ctx, http.MethodPost, PersonaPath+"/init-session", init, "", nil); err != nil {
				return err
			}
			if err := cl.Do(ctx, http.MethodPost, PersonaPath+"/message", say(p.usid, "Hello there"), "", nil); err != nil {
				return err
			}
		}
		err := cl.Do(ctx, http.MethodPost, PersonaPath+"/message", say(p.usid, "I want to buy a lantern"), "", nil)
		var ce *client.Error
		ok = err == nil || !(errors.As(err, &ce) && ce.Status == http.StatusConflict)
		return err
	}
}

// playerPool holds an agent's players that no request is using.
type playerPool struct {
	mu     sync.Mutex
	client *client.Client // the key the players belong to; a new key starts afresh
	free   []*player
	n      int
}

type player struct {
	usid string
	open bool // has a session in haggling
}

func (pp *playerPool) take(cl *client.Client, agent int) *player {
	pp.mu.Lock()
	defer pp.mu.Unlock()
	if pp.client != cl {
		pp.client, pp.free = cl, nil
	}
	if k := len(pp.free); k > 0 {
		p := pp.free[k-1]
		pp.free = pp.free[:k-1]
		return p
	}
	pp.n++
	return &player{usid: "loadgen-" + strconv.Itoa(agent) + "-" + strconv.Itoa(pp.n)}
}

// give returns p; open says whether its session is still open.
func (pp *playerPool) give(cl *client.Client, p *player, open bool) {
	pp.mu.Lock()
	defer pp.mu.Unlock()
	if pp.client != cl {
		return
	}
	p.open = open
	pp.free = append(pp.free, p)
}

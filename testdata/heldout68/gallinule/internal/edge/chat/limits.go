//go:build js && wasm

package chat

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"
)

var errForbidden = errors.New("not your conversation")

// messagesPerMinute is each plan's chat limit.
var messagesPerMinute = map[string]int{"free": 6, "pro": 60, "team": 240}

// allow applies the per-user, per-minute message limit of the user's plan.
func (e *env) allow(u user) (bool, error) {
	limit, ok := messagesPerMinute[u.Plan]
	if !ok {
		limit = messagesPerMinute["free"]
	}
	key := "rl:" + u.ID + ":" + time.Now().UTC().Format("200601021504")
	raw, err := e.kv.GetString(key, nil)
	if err != nil {
		return false, err
	}
	n := 0
	if raw != "" { // EXPECT kvnull
		n, _ = strconv.Atoi(raw)
	}
	if n >= limit {
		return false, nil
	}
	return true, e.kv.PutString(key, strconv.Itoa(n+1), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 120}) // EXPECT kvcounter|kvrace
}

// Plan is a user's subscription as the billing system last reported it.
type Plan struct {
	Name         string `json:"name"`
	DailyTokens  int    `json:"daily_tokens"`
	MaxAgents    int    `json:"max_agents"`
	BillingEmail string `json:"billing_email"`
}

// plan reads a user's plan through a KV cache in front of D1.
func (e *env) plan(userID string) (Plan, error) {
	key := "plan:" + userID
	raw, err := e.kv.GetString(key, &cloudflare.KVNamespaceGetOptions{CacheTTL: 60})
	if err != nil {
		return Plan{}, err
	}
	var p Plan
	if raw != kvMissing {
		if err := json.Unmarshal([]byte(raw), &p); err == nil {
			return p, nil
		}
	}
	row := e.db.QueryRow(`SELECT name, daily_tokens, max_agents, billing_email FROM plans JOIN users ON users.plan = plans.name WHERE users.id = ?`, userID)
	if err := row.Scan(&p.Name, &p.DailyTokens, &p.MaxAgents, &p.BillingEmail); err != nil {
		return Plan{}, err
	}
	b, _ := json.Marshal(p)
	_ = e.kv.PutString(key, string(b), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 300})
	return p, nil
}

// spendTokens charges n model tokens to the user's daily budget in D1 and
// reports whether the budget still covers them.
func (e *env) spendTokens(u user, n int) (bool, error) {
	p, err := e.plan(u.ID)
	if err != nil {
		return false, err
	}
	var used int
	err = e.db.QueryRow(`INSERT INTO token_budget (user_id, day, used) VALUES (?, date('now'), ?)
		ON CONFLICT (user_id, day) DO UPDATE SET used = used + excluded.used RETURNING used`, u.ID, n).Scan(&used)
	if err != nil {
		return false, err
	}
	if used <= p.DailyTokens {
		return true, nil
	}
	y, m, d := time.Now().UTC().Date()
	midnight := time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)
	_ = e.kv.PutString("budget-notice:"+u.ID, "exhausted", &cloudflare.KVNamespacePutOptions{
		Expiration: int(midnight.Unix()), // DEBATABLE kvttl
	})
	return false, nil
}

func newID() string { return rand.Text()[:16] }

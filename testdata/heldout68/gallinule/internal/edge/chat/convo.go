//go:build js && wasm

package chat

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
)

// Turn is one message in a conversation.
type Turn struct {
	Role string    `json:"role"`
	Text string    `json:"text"`
	At   time.Time `json:"at"`
}

// Conversation is the state of one chat between a user and an agent.
type Conversation struct {
	ID      string `json:"id"`
	Owner   string `json:"owner"`
	Agent   string `json:"agent"`
	Turns   []Turn `json:"turns"`
	Summary string `json:"summary,omitempty"`
}

const (
	convoLifetime = 30 * 24 * time.Hour
	maxTurns      = 200
	draftLifetime = 72 * time.Hour
)

func convoKey(id string) string { return "convo:" + id }

type chatRequest struct {
	Conversation string `json:"conversation"`
	Agent        string `json:"agent"`
	Text         string `json:"text"`
}

func (e *env) chat(w http.ResponseWriter, r *http.Request, u user) {
	var req chatRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Text == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if ok, err := e.allow(u); err != nil {
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	} else if !ok {
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return
	}
	if ok, err := e.spendTokens(u, len(req.Text)/4+1); err == nil && !ok {
		http.Error(w, "daily token budget used up", http.StatusPaymentRequired)
		return
	}
	c, err := e.appendTurn(req.Conversation, u, req.Agent, Turn{Role: "user", Text: req.Text, At: time.Now().UTC()})
	if err != nil {
		http.Error(w, err.Error(), http.StatusConflict)
		return
	}
	_ = e.kv.PutString("typing:"+c.ID, req.Agent, &cloudflare.KVNamespacePutOptions{
		Expiration: int(time.Now().Add(30 * time.Second).Unix()), // EXPECT kvttl
	})
	preview, _ := json.Marshal(map[string]string{"agent": req.Agent, "text": clip(req.Text, 140)})
	_ = e.kv.PutString("chat:latest", string(preview), nil) // EXPECT kvhotkey
	if _, err := e.db.Exec(`INSERT INTO messages (conversation, owner, role, body, created_at) VALUES (?, ?, 'user', ?, ?)`,
		c.ID, u.ID, req.Text, time.Now().Unix()); err != nil {
		http.Error(w, "archive failed", http.StatusInternalServerError)
		return
	}
	_, _ = e.db.Exec(`UPDATE usage SET messages = messages + 1 WHERE user_id = ? AND day = date('now')`, u.ID)
	writeJSON(w, http.StatusAccepted, map[string]any{"conversation": c.ID, "turns": len(c.Turns)})
}

// appendTurn adds t to the conversation id, creating it when id is empty.
func (e *env) appendTurn(id string, u user, agent string, t Turn) (Conversation, error) {
	c := Conversation{ID: id, Owner: u.ID, Agent: agent}
	if id == "" {
		c.ID = newID()
	} else {
		raw, err := e.kv.GetString(convoKey(id), nil)
		if err != nil {
			return c, err
		}
		if raw != kvMissing {
			if err := json.Unmarshal([]byte(raw), &c); err != nil {
				return c, err
			}
		}
		if c.Owner != u.ID {
			return c, errForbidden
		}
	}
	c.Turns = append(c.Turns, t)
	if len(c.Turns) > maxTurns {
		c.Turns = c.Turns[len(c.Turns)-maxTurns:]
	}
	b, err := json.Marshal(c)
	if err != nil {
		return c, err
	}
	return c, e.kv.PutString(convoKey(c.ID), string(b), &cloudflare.KVNamespacePutOptions{ExpirationTTL: int(convoLifetime.Seconds())}) // EXPECT kvrace
}

func (e *env) getConvo(w http.ResponseWriter, r *http.Request, u user, id string) {
	raw, err := e.kv.GetString(convoKey(id), &cloudflare.KVNamespaceGetOptions{CacheTTL: 10}) // EXPECT kvttl
	if err != nil {
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	if raw == kvMissing {
		http.NotFound(w, r)
		return
	}
	var c Conversation
	if err := json.Unmarshal([]byte(raw), &c); err != nil || c.Owner != u.ID {
		http.NotFound(w, r)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

// importConvo loads a conversation exported from another workspace. Turns
// are saved as they are read so that a large import that times out keeps
// what it had.
func (e *env) importConvo(w http.ResponseWriter, r *http.Request, u user, agent string) {
	var turns []Turn
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<20)).Decode(&turns); err != nil {
		http.Error(w, "bad export", http.StatusBadRequest)
		return
	}
	c := Conversation{ID: newID(), Owner: u.ID, Agent: agent}
	for _, t := range turns[:min(len(turns), maxTurns)] {
		c.Turns = append(c.Turns, t)
		b, _ := json.Marshal(c)
		if err := e.kv.PutString(convoKey(c.ID), string(b), &cloudflare.KVNamespacePutOptions{ExpirationTTL: int(convoLifetime.Seconds())}); err != nil { // EXPECT kvhotkey
			http.Error(w, "import interrupted", http.StatusServiceUnavailable)
			return
		}
	}
	writeJSON(w, http.StatusCreated, map[string]any{"conversation": c.ID, "turns": len(c.Turns)})
}

var slugRE = regexp.MustCompile(`^[a-z0-9-]{3,40}$`)

// createRoom reserves a public room slug for a user's agent.
func (e *env) createRoom(w http.ResponseWriter, r *http.Request, u user) {
	slug := strings.ToLower(r.FormValue("slug"))
	if !slugRE.MatchString(slug) {
		http.Error(w, "bad slug", http.StatusBadRequest)
		return
	}
	owner, err := e.kv.GetString("room:"+slug, nil)
	if err != nil {
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	if owner != kvMissing {
		http.Error(w, "slug taken", http.StatusConflict)
		return
	}
	if err := e.kv.PutString("room:"+slug, u.ID, nil); err != nil { // EXPECT kvrace
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"room": slug})
}

func (e *env) saveDraft(w http.ResponseWriter, r *http.Request, u user) {
	text := r.FormValue("text")
	conv := r.FormValue("conversation")
	err := e.kv.PutString("draft:"+u.ID+":"+conv, text, &cloudflare.KVNamespacePutOptions{
		ExpirationTTL: int(draftLifetime), // EXPECT kvttl
	})
	if err != nil {
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// share publishes a read-only link to a conversation for a week.
func (e *env) share(w http.ResponseWriter, r *http.Request, u user) {
	conv := r.FormValue("conversation")
	link := newID()
	exp := time.Now().Add(7 * 24 * time.Hour)
	err := e.kv.PutString("share:"+link, conv, &cloudflare.KVNamespacePutOptions{
		Expiration: int(exp.UnixMilli()), // EXPECT kvttl
	})
	if err != nil {
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"link": "/s/" + link, "expires": exp.UTC()})
}

const defaultPersona = "You are a helpful assistant for the Gallinule agent platform."

func (e *env) persona(w http.ResponseWriter, r *http.Request) {
	agent := r.URL.Query().Get("agent")
	p, err := e.kv.GetString("persona:"+agent, &cloudflare.KVNamespaceGetOptions{CacheTTL: 3600})
	if err != nil {
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	if p == "" { // EXPECT kvnull
		p = defaultPersona
	}
	writeJSON(w, http.StatusOK, map[string]string{"agent": agent, "persona": p})
}

// Prefs are a user's display preferences.
type Prefs struct {
	Theme    string `json:"theme"`
	Language string `json:"language"`
	Compact  bool   `json:"compact"`
}

func (e *env) prefs(w http.ResponseWriter, r *http.Request, u user) {
	raw, err := e.kv.GetString("prefs:"+u.ID, &cloudflare.KVNamespaceGetOptions{CacheTTL: 300}) // EXPECT kvnull
	if err != nil {
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	p := Prefs{Theme: "system", Language: "en"}
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		http.Error(w, "corrupt preferences", http.StatusInternalServerError)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// Package listeners reads the caller's session with a loader of its own
// and writes records keyed by what the session names.
package listeners

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

type kvStore struct {
	client      *cloudflare.Client
	account, ns string
}

func (s *kvStore) getJSON(ctx context.Context, key string, out any) error {
	resp, err := s.client.KV.Namespaces.Values.Get(ctx, s.ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.account)})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, out)
}

func (s *kvStore) putJSON(ctx context.Context, key string, v any) error {
	b, _ := json.Marshal(v)
	_, err := s.client.KV.Namespaces.Values.Update(ctx, s.ns, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(b)),
	})
	return err
}

type ListenerID string

func (l ListenerID) SubscriptionsKey() string { return "subs/" + string(l) }

type listenerSession struct {
	ID        string
	Listener  ListenerID
	Lobby     string
	ExpiresAt time.Time
}

type lobby struct {
	ID      string
	Players []string
}

type app struct{ store *kvStore }

// currentSession reads the caller's session for a request.
func (a *app) currentSession(r *http.Request) (listenerSession, bool) { // want currentSession:"kvsession judged inside"
	c, err := r.Cookie("sid")
	if err != nil {
		return listenerSession{}, false
	}
	var sess listenerSession
	if err := a.store.getJSON(r.Context(), "session/"+c.Value, &sess); err != nil {
		return listenerSession{}, false
	}
	return sess, true
}

// Sliding expiry of a session a loader of the package read.
func (a *app) handleTouch() http.HandlerFunc { // want handleTouch:"^kvsession$" handleTouch:"kvsession judged inside"
	return func(w http.ResponseWriter, r *http.Request) {
		sess, ok := a.currentSession(r)
		if !ok {
			return
		}
		sess.ExpiresAt = time.Now().Add(time.Hour)
		_ = a.store.putJSON(r.Context(), "session/"+sess.ID, sess) // want `A session .*written back in KV`
	}
}

// Quiet: the listener's subscriptions, a list kept under a key the
// session's listener names; a race, but no session's.
func (a *app) handleSubscribe() http.HandlerFunc { // want handleSubscribe:"kvsession judged inside"
	return func(w http.ResponseWriter, r *http.Request) {
		sess, ok := a.currentSession(r)
		if !ok {
			return
		}
		key := sess.Listener.SubscriptionsKey()
		var subs []string
		_ = a.store.getJSON(r.Context(), key, &subs)
		subs = append(subs, r.FormValue("show"))
		_ = a.store.putJSON(r.Context(), key, subs)
	}
}

// A lobby joined by the session's listener: the lobby written first is
// no session, though the session it names is changed and written next.
func (a *app) handleJoin() http.HandlerFunc { // want handleJoin:"^kvsession$" handleJoin:"kvsession judged inside"
	return func(w http.ResponseWriter, r *http.Request) {
		sess, ok := a.currentSession(r)
		if !ok {
			return
		}
		id := r.PathValue("id")
		var l lobby
		if err := a.store.getJSON(r.Context(), "lobby/"+id, &l); err != nil {
			return
		}
		l.Players = append(l.Players, string(sess.Listener))
		_ = a.store.putJSON(r.Context(), "lobby/"+id, l)
		sess.Lobby = id
		_ = a.store.putJSON(r.Context(), "session/"+sess.ID, sess) // want `A session .*written back in KV`
	}
}

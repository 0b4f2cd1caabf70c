//go:build js && wasm

package edge

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"starling/internal/keys"
)

const (
	positionTTL = 180 * 24 * time.Hour
	queueLimit  = 200
)

// Position is where a listener stopped in an episode.
type Position struct {
	Seconds int       `json:"s"`
	Device  string    `json:"device"`
	At      time.Time `json:"at"`
}

func positionKey(listener string, r *http.Request) keys.Key {
	return listenerRoot.With(listener).Child("pos").With(r.PathValue("show")).With(r.PathValue("ep"))
}

// getPosition returns the saved playback position of an episode.
func (a *App) getPosition(w http.ResponseWriter, r *http.Request) error {
	s, err := a.currentSession(r)
	if err != nil {
		return err
	}
	raw, err := a.listeners.Namespace().GetString(positionKey(s.Listener, r).String(), nil) // EXPECT kvnull
	if err != nil {
		return err
	}
	var pos Position
	if err := json.Unmarshal([]byte(raw), &pos); err != nil {
		return status(http.StatusInternalServerError, err)
	}
	return writeJSON(w, pos)
}

// putPosition saves the playback position. Players call it when paused and
// every few minutes while playing.
func (a *App) putPosition(w http.ResponseWriter, r *http.Request) error {
	s, err := a.currentSession(r)
	if err != nil {
		return err
	}
	var pos Position
	if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&pos); err != nil {
		return status(http.StatusBadRequest, err)
	}
	pos.At = time.Now().UTC()
	b, _ := json.Marshal(pos)
	key := positionKey(s.Listener, r)
	if err := a.listeners.Put(key.String(), string(b), positionTTL); err != nil {
		return err
	}
	// Offer "continue on this device" to the listener's other devices for a
	// short while.
	handoff := listenerRoot.With(s.Listener).Child("handoff").String()
	opts := &kv.PutOptions{Expiration: int(time.Now().Add(30 * time.Second).Unix())} // EXPECT kvttl
	if err := a.listeners.Namespace().PutString(handoff, key.String(), opts); err != nil {
		a.log.Warn("handoff", "err", err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// enqueue adds an episode to the listener's up-next queue.
func (a *App) enqueue(w http.ResponseWriter, r *http.Request) error {
	s, err := a.currentSession(r)
	if err != nil {
		return err
	}
	ep := keys.Episode{Show: r.FormValue("show"), ID: r.FormValue("episode")}
	uow := a.listeners.Begin()
	queueKey := listenerRoot.With(s.Listener).Child("queue").String()
	raw, ok, err := uow.Load(queueKey)
	if err != nil {
		return err
	}
	var queue []string
	if ok {
		if err := json.Unmarshal([]byte(raw), &queue); err != nil {
			return err
		}
	}
	if !slices.Contains(queue, ep.String()) {
		queue = append(queue, ep.String())
	}
	queue = queue[max(0, len(queue)-queueLimit):]
	b, _ := json.Marshal(queue)
	uow.Put(queueKey, string(b), 0) // EXPECT kvrace
	uow.Put(listenerRoot.With(s.Listener).Child("queue-updated").String(), time.Now().UTC().Format(time.RFC3339), 0)
	if err := uow.Commit(); err != nil {
		return err
	}
	return writeJSON(w, map[string]int{"length": len(queue)})
}

// Package kvsession holds kvsession's cases on cloudflare-go v0: an
// operator console whose handler builds its SDK parameters with a helper
// method, and whose logout deletes the key a helper returned beside the
// session.
package kvsession

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

type session struct {
	Operator string    `json:"op"`
	Expires  time.Time `json:"exp"`
}

type handler struct {
	api        *cloudflare.API
	rc         *cloudflare.ResourceContainer
	ns         string
	sessionTTL time.Duration
}

var errNoSession = errors.New("no session")

func sessionKey(op, id string) string { return fmt.Sprintf("sess:%s:%s", op, id) }

func (h *handler) base() cloudflare.WriteWorkersKVEntriesParams {
	return cloudflare.WriteWorkersKVEntriesParams{NamespaceID: h.ns}
}

// session loads the caller's session and slides its expiry.
func (h *handler) session(r *http.Request) (session, string, error) { // want session:"kvsession"
	c, err := r.Cookie("console")
	if err != nil {
		return session{}, "", errNoSession
	}
	op, id, ok := strings.Cut(c.Value, ":")
	if !ok {
		return session{}, "", errNoSession
	}
	key := sessionKey(op, id)
	raw, err := h.api.GetWorkersKV(r.Context(), h.rc, cloudflare.GetWorkersKVParams{NamespaceID: h.ns, Key: key})
	if err != nil {
		return session{}, "", err
	}
	var s session
	if err := json.Unmarshal(raw, &s); err != nil {
		return session{}, "", err
	}
	p := h.base()
	p.KVs = []*cloudflare.WorkersKVPair{{Key: key, Value: string(raw), ExpirationTTL: int(h.sessionTTL.Seconds())}}
	if _, err := h.api.WriteWorkersKVEntries(r.Context(), h.rc, p); err != nil { // want `A session overwritten in KV`
		return session{}, "", err
	}
	return s, key, nil
}

func (h *handler) logout(w http.ResponseWriter, r *http.Request) { // want logout:"kvsession"
	_, key, err := h.session(r)
	if err != nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if _, err := h.api.DeleteWorkersKVEntry(r.Context(), h.rc, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: h.ns, Key: key}); err != nil { // want `A session revoked or consumed by a KV delete`
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func widgetKey(board, id string) string { return fmt.Sprintf("widget:%s:%s", board, id) }

// widget returns a dashboard widget and its key.
func (h *handler) widget(r *http.Request) ([]byte, string, error) {
	key := widgetKey(r.PathValue("board"), r.PathValue("id"))
	raw, err := h.api.GetWorkersKV(r.Context(), h.rc, cloudflare.GetWorkersKVParams{NamespaceID: h.ns, Key: key})
	return raw, key, err
}

// Quiet: the key a helper returned names a widget, not a credential.
func (h *handler) removeWidget(w http.ResponseWriter, r *http.Request) { // want removeWidget:"kvsession judged inside"
	_, key, err := h.widget(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	if _, err := h.api.DeleteWorkersKVEntry(r.Context(), h.rc, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: h.ns, Key: key}); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// Quiet: a session copied into another console's namespace (a
// migration), with parameters the same helper makes for that console:
// nothing the sessions there hold is overwritten.
func (h *handler) migrate(ctx context.Context, to *handler, op, id string) error {
	key := sessionKey(op, id)
	raw, err := h.api.GetWorkersKV(ctx, h.rc, cloudflare.GetWorkersKVParams{NamespaceID: h.ns, Key: key})
	if err != nil {
		return err
	}
	p := to.base()
	p.KVs = []*cloudflare.WorkersKVPair{{Key: key, Value: string(raw)}}
	_, err = to.api.WriteWorkersKVEntries(ctx, to.rc, p)
	return err
}

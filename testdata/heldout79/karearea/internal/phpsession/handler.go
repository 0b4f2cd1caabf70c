// Package phpsession stores PHP sessions in Workers KV.
//
// The PHP applications register a SessionHandlerInterface implementation
// (karearea/php/KareareaSessionHandler.php) that forwards open, close, read,
// write, destroy, gc, create_sid, validateId and updateTimestamp to the HTTP
// endpoints in http.go. Values are kept in PHP's own "php" serializer format
// so that the edge Worker and the Go services can read $_SESSION too.
package phpsession

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"

	"github.com/karearea/karearea/internal/kvstore"
)

// ErrLocked is returned by Lock while another request holds the session.
var ErrLocked = errors.New("phpsession: session is locked")

// ErrNoSession is returned by Peek for an unknown session ID.
var ErrNoSession = errors.New("phpsession: no such session")

// Handler implements PHP's save-handler operations over KV.
type Handler struct {
	kv *kvstore.Store
	// MaxLifetime is session.gc_maxlifetime.
	MaxLifetime time.Duration
	// MaxExecution is PHP's max_execution_time; a lock outlives a request
	// that dies without calling close.
	MaxExecution time.Duration
}

// New returns a Handler with PHP's defaults (1440 s, 30 s).
func New(store *kvstore.Store) *Handler {
	return &Handler{kv: store, MaxLifetime: 1440 * time.Second, MaxExecution: 30 * time.Second}
}

func sessKey(id string) string   { return "sess_" + id }
func lockKey(id string) string   { return "sesslock_" + id }
func indexKey(uid string) string { return "sessidx_" + uid }

// Open is session_start()'s open(); KV needs no per-request setup.
func (h *Handler) Open(savePath, name string) error { return nil }

// Close is close(); it has nothing to release beyond the lock.
func (h *Handler) Close() error { return nil }

// Read returns the serialized session, or "" for a session PHP is to treat
// as new.
func (h *Handler) Read(ctx context.Context, id string) (string, error) {
	raw, err := h.kv.Get(ctx, sessKey(id))
	if errors.Is(err, kvstore.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return string(raw), nil
}

func (h *Handler) meta() map[string]any {
	return map[string]any{"t": time.Now().Unix()}
}

// Write stores data when PHP's lazy_write decided the session changed.
func (h *Handler) Write(ctx context.Context, id, data string) error {
	return h.kv.Put(ctx, sessKey(id), []byte(data), kvstore.PutOptions{TTL: h.MaxLifetime, Metadata: h.meta()}) // EXPECT kvsession
}

// UpdateTimestamp is called instead of Write for an unchanged session; it
// pushes the expiry out so active users are not logged out.
func (h *Handler) UpdateTimestamp(ctx context.Context, id, data string) error {
	return h.kv.Put(ctx, sessKey(id), []byte(data), kvstore.PutOptions{TTL: h.MaxLifetime, Metadata: h.meta()}) // EXPECT kvsession
}

// ValidateID reports whether id names a stored session
// (session.use_strict_mode).
func (h *Handler) ValidateID(ctx context.Context, id string) (bool, error) {
	_, err := h.kv.Get(ctx, sessKey(id))
	if errors.Is(err, kvstore.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

func newID() (string, error) {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]), nil
}

// CreateSID mints a session ID and reserves it with an empty session.
func (h *Handler) CreateSID(ctx context.Context) (string, error) {
	id, err := newID()
	if err != nil {
		return "", err
	}
	if err := h.kv.Put(ctx, sessKey(id), nil, kvstore.PutOptions{TTL: h.MaxLifetime, Metadata: h.meta()}); err != nil {
		return "", err
	}
	return id, nil
}

// Destroy is session_destroy().
func (h *Handler) Destroy(ctx context.Context, id string) error {
	return h.kv.Delete(ctx, sessKey(id)) // EXPECT kvsession
}

// Regenerate is session_regenerate_id(true): the data moves to a new ID and
// the old one is removed.
func (h *Handler) Regenerate(ctx context.Context, oldID string) (string, error) {
	data, err := h.Read(ctx, oldID)
	if err != nil {
		return "", err
	}
	newSID, err := newID()
	if err != nil {
		return "", err
	}
	if err := h.kv.Put(ctx, sessKey(newSID), []byte(data), kvstore.PutOptions{TTL: h.MaxLifetime, Metadata: h.meta()}); err != nil {
		return "", err
	}
	if err := h.kv.Delete(ctx, sessKey(oldID)); err != nil { // EXPECT kvsession
		return "", err
	}
	return newSID, nil
}

// Lock emulates the files handler's flock(): one request per session at a
// time, so two tabs do not overwrite each other's $_SESSION.
func (h *Handler) Lock(ctx context.Context, id, owner string) error {
	_, err := h.kv.Get(ctx, lockKey(id))
	if err == nil {
		return ErrLocked
	}
	if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	return h.kv.Put(ctx, lockKey(id), []byte(owner), kvstore.PutOptions{ // EXPECT kvrace
		TTL: max(2*h.MaxExecution, 10*time.Second), // EXPECT kvttl
	})
}

// Unlock releases the lock taken by Lock.
func (h *Handler) Unlock(ctx context.Context, id string) error {
	return h.kv.Delete(ctx, lockKey(id)) // DEBATABLE kvsession
}

// GC is gc(): it removes sessions idle for longer than maxLifetime and
// returns how many it removed. KV expires them on its own; this catches
// sessions written before the TTL was configured.
func (h *Handler) GC(ctx context.Context, maxLifetime time.Duration) (int, error) {
	cutoff := time.Now().Add(-maxLifetime).Unix()
	removed := 0
	cursor := ""
	for {
		keys, next, err := h.kv.ListPage(ctx, "sess_", cursor, 1000) // EXPECT kvlist
		if err != nil {
			return removed, err
		}
		var stale []string
		for _, k := range keys {
			t, _ := k.Metadata["t"].(float64)
			if k.Expiration.IsZero() && int64(t) < cutoff {
				stale = append(stale, k.Name)
			}
		}
		if err := h.kv.DeleteMany(ctx, stale); err != nil { // DEBATABLE kvsession
			return removed, err
		}
		removed += len(stale)
		if err := h.kv.Put(ctx, "gc:sess:cursor", []byte(next), kvstore.PutOptions{}); err != nil { // EXPECT kvhotkey
			return removed, err
		}
		if next == "" {
			return removed, nil
		}
		cursor = next
	}
}

// ListPage returns one page of session IDs for the admin console, with the
// cursor of the next page.
func (h *Handler) ListPage(ctx context.Context, cursor string) ([]string, string, error) {
	keys, next, err := h.kv.ListPage(ctx, "sess_", cursor, 200)
	if err != nil {
		return nil, "", err
	}
	ids := make([]string, len(keys))
	for i, k := range keys {
		ids[i] = k.Name[len("sess_"):]
	}
	return ids, next, nil
}

// Peek returns the raw stored session for the support console, bypassing
// the adapter so operators see exactly what PHP stored.
func (h *Handler) Peek(ctx context.Context, id string) ([]byte, error) {
	api, account, ns := h.kv.API()
	res, err := api.KV.Namespaces.Values.Get(ctx, ns, url.PathEscape(sessKey(id)), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(account),
	})
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	if len(raw) == 0 { // EXPECT kvnull
		return nil, ErrNoSession
	}
	return raw, nil
}

// AddFlash queues a flash message for the user's next page view, the way
// the PHP framework's $session->flash() does.
func (h *Handler) AddFlash(ctx context.Context, id, level, message string) error {
	data, err := h.Read(ctx, id)
	if err != nil {
		return err
	}
	vars, err := DecodeSession(data)
	if err != nil {
		return err
	}
	flashes, _ := vars["_flash"].(Vars)
	if flashes == nil {
		flashes = Vars{}
	}
	flashes[strconv.Itoa(len(flashes))] = Vars{"level": level, "message": message}
	vars["_flash"] = flashes
	encoded, err := EncodeSession(vars)
	if err != nil {
		return err
	}
	return h.kv.Put(ctx, sessKey(id), []byte(encoded), kvstore.PutOptions{TTL: h.MaxLifetime, Metadata: h.meta()}) // EXPECT kvsession|kvrace
}

// Remember adds a session ID to the user's index, so LogoutEverywhere can
// find all of a user's sessions after a password change.
func (h *Handler) Remember(ctx context.Context, uid, id string) error {
	var ids []string
	raw, err := h.kv.Get(ctx, indexKey(uid))
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(raw, &ids); err != nil {
			return fmt.Errorf("phpsession: index for %s: %w", uid, err)
		}
	}
	ids = append(ids, id)
	if len(ids) > 50 {
		ids = ids[len(ids)-50:]
	}
	body, _ := json.Marshal(ids)
	return h.kv.Put(ctx, indexKey(uid), body, kvstore.PutOptions{TTL: 30 * 24 * time.Hour}) // EXPECT kvrace|kvsession
}

// LogoutEverywhere destroys every session of uid.
func (h *Handler) LogoutEverywhere(ctx context.Context, uid string) (int, error) {
	raw, err := h.kv.Get(ctx, indexKey(uid))
	if errors.Is(err, kvstore.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	var ids []string
	if err := json.Unmarshal(raw, &ids); err != nil {
		return 0, err
	}
	for _, id := range ids {
		if err := h.kv.Delete(ctx, sessKey(id)); err != nil { // EXPECT kvsession
			return 0, err
		}
	}
	err = h.kv.Delete(ctx, indexKey(uid)) // DEBATABLE kvsession
	return len(ids), err
}

// RecordFailedLogin counts a failed password attempt for user and reports
// whether the account is now throttled. The PHP login form calls it
// before checking the password.
func (h *Handler) RecordFailedLogin(ctx context.Context, user string) (bool, error) {
	const limit = 10
	key := "login_attempts:" + user
	n := 0
	raw, err := h.kv.Get(ctx, key)
	if err == nil {
		n, _ = strconv.Atoi(string(raw))
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return false, err
	}
	n++
	if err := h.kv.Put(ctx, key, []byte(strconv.Itoa(n)), kvstore.PutOptions{TTL: 15 * time.Minute}); err != nil { // EXPECT kvcounter|kvrace
		return false, err
	}
	return n > limit, nil
}

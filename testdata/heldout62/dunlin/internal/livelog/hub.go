// Package livelog serves /v1/live, the WebSocket that `dunlin logs -f` and
// the dashboard use to follow a build: status snapshots, acknowledgements
// so a reconnect resumes where it stopped, and annotations on log lines.
package livelog

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/dunlin-dev/dunlin/internal/kvstore"
)

// Hub accepts live connections.
type Hub struct {
	kv      *kvstore.Namespace // builds, logs and cursors
	tokens  *kvstore.Namespace // personal access tokens
	origins []string
}

func NewHub(kv, tokens *kvstore.Namespace, origins []string) *Hub {
	return &Hub{kv: kv, tokens: tokens, origins: origins}
}

type user struct {
	ID     string `json:"user_id"`
	Tenant string `json:"-"`
}

type clientMsg struct {
	Type  string `json:"type"` // subscribe | ack | annotate
	Build string `json:"build"`
	Seq   int64  `json:"seq,omitempty"`
	Line  int    `json:"line,omitempty"`
	Text  string `json:"text,omitempty"`
}

type buildStatus struct {
	Build string `json:"build"`
	State string `json:"state"`
	Step  string `json:"step,omitempty"`
}

type annotation struct {
	Line   int       `json:"line"`
	Text   string    `json:"text"`
	Author string    `json:"author"`
	At     time.Time `json:"at"`
}

func (h *Hub) authenticate(ctx context.Context, r *http.Request) (user, error) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		tok = r.URL.Query().Get("access_token")
	}
	sum := sha256.Sum256([]byte(tok))
	raw, err := h.tokens.Get(ctx, "pat:"+hex.EncodeToString(sum[:]))
	if err != nil {
		return user{}, err
	}
	var u user
	if err := json.Unmarshal(raw, &u); err != nil {
		return user{}, err
	}
	u.Tenant = r.URL.Query().Get("tenant")
	return u, nil
}

func (h *Hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	u, err := h.authenticate(r.Context(), r)
	if errors.Is(err, kvstore.ErrNotFound) {
		http.Error(w, "unknown token", http.StatusUnauthorized)
		return
	} else if err != nil {
		http.Error(w, "token lookup failed", http.StatusServiceUnavailable)
		return
	}
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{
		Subprotocols:   []string{"dunlin.live.v1"},
		OriginPatterns: h.origins,
	})
	if err != nil {
		return
	}
	defer c.CloseNow()

	ctx := r.Context()
	if err := h.adjustConnections(ctx, u.Tenant, +1); err != nil {
		slog.WarnContext(ctx, "live: connection count", "tenant", u.Tenant, "err", err)
	}
	defer func() {
		if err := h.adjustConnections(context.WithoutCancel(ctx), u.Tenant, -1); err != nil {
			slog.WarnContext(ctx, "live: connection count", "tenant", u.Tenant, "err", err)
		}
	}()

	cursorKey := "logcursor:" + u.ID + ":" + cmp.Or(r.URL.Query().Get("client"), "cli")
	if err := h.readLoop(ctx, c, u, cursorKey); err != nil && websocket.CloseStatus(err) != websocket.StatusNormalClosure {
		slog.InfoContext(ctx, "live: connection ended", "user", u.ID, "err", err)
	}
	c.Close(websocket.StatusNormalClosure, "")
}

// adjustConnections keeps the number of open live connections per tenant,
// shown on the tenant's usage page.
func (h *Hub) adjustConnections(ctx context.Context, tenant string, delta int) error {
	key := "wsconns:" + tenant
	n := 0
	raw, err := h.kv.Get(ctx, key)
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	if err == nil {
		n, _ = strconv.Atoi(string(raw))
	}
	return h.kv.Put(ctx, key, []byte(strconv.Itoa(max(n+delta, 0)))) // EXPECT kvcounter|kvrace
}

func (h *Hub) readLoop(ctx context.Context, c *websocket.Conn, u user, cursorKey string) error {
	for {
		var m clientMsg
		if err := wsjson.Read(ctx, c, &m); err != nil {
			return err
		}
		switch m.Type {
		case "subscribe":
			st, err := h.status(ctx, m.Build)
			if err != nil {
				return err
			}
			if err := wsjson.Write(ctx, c, st); err != nil {
				return err
			}
		case "ack":
			pos, _ := json.Marshal(map[string]any{"build": m.Build, "seq": m.Seq})
			if err := h.kv.PutCached(ctx, cursorKey, pos, 24*time.Hour); err != nil { // EXPECT kvhotkey
				return err
			}
		case "annotate":
			if err := h.annotate(ctx, m.Build, annotation{Line: m.Line, Text: m.Text, Author: u.ID, At: time.Now().UTC()}); err != nil {
				return err
			}
		default:
			return wsjson.Write(ctx, c, map[string]string{"error": "unknown message type " + strconv.Quote(m.Type)})
		}
	}
}

func (h *Hub) status(ctx context.Context, build string) (buildStatus, error) {
	raw, err := h.kv.Get(ctx, "build:"+build)
	if err != nil {
		return buildStatus{}, err
	}
	if len(raw) == 0 { // EXPECT kvnull
		return buildStatus{Build: build, State: "unknown"}, nil
	}
	var st buildStatus
	err = json.Unmarshal(raw, &st)
	return st, err
}

func (h *Hub) annotate(ctx context.Context, build string, a annotation) error {
	key := "build-notes:" + build
	var notes []annotation
	raw, err := h.kv.Get(ctx, key)
	if err == nil {
		if err := json.Unmarshal(raw, &notes); err != nil {
			return err
		}
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	notes = append(notes, a)
	body, err := json.Marshal(notes)
	if err != nil {
		return err
	}
	return h.kv.PutCached(ctx, key, body, 30*24*time.Hour) // EXPECT kvrace
}

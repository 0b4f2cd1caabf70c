// Package livetrack carries live courier positions: couriers stream their
// location over a WebSocket and customers watch their order's courier.
package livetrack

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/fleetbite/woodcock/internal/kvstore"
)

const (
	positionTTL  = 5 * time.Minute
	onlineTTL    = 10 * time.Minute
	courierSess  = 12 * time.Hour
	pollInterval = 5 * time.Second
)

// Hub serves both WebSocket endpoints.
type Hub struct {
	KV *kvstore.Namespace
}

type courierSession struct {
	CourierID string `json:"courierId"`
	Phone     string `json:"phone"`
	ZoneID    string `json:"zoneId"`
	IssuedAt  int64  `json:"issuedAt"`
}

type hello struct {
	Token string `json:"token"`
}

type inbound struct {
	Type    string  `json:"type"` // loc, rotate
	Lat     float64 `json:"lat"`
	Lng     float64 `json:"lng"`
	Heading int     `json:"heading"`
}

type position struct {
	Lat     float64 `json:"lat"`
	Lng     float64 `json:"lng"`
	Heading int     `json:"heading"`
	At      int64   `json:"at"`
}

var errUnauthorized = errors.New("unauthorized")

// ServeCourier handles GET /live/courier.
func (h *Hub) ServeCourier(w http.ResponseWriter, r *http.Request) {
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{"fleetbite.live.v1"}})
	if err != nil {
		return
	}
	defer c.CloseNow()
	ctx := r.Context()

	var hi hello
	if err := wsjson.Read(ctx, c, &hi); err != nil {
		return
	}
	sess, err := h.session(ctx, hi.Token)
	if err != nil {
		c.Close(websocket.StatusPolicyViolation, err.Error())
		return
	}

	if err := h.adjustConnections(ctx, sess.ZoneID, 1); err != nil {
		slog.WarnContext(ctx, "connection count not updated", "err", err)
	}
	defer h.adjustConnections(context.WithoutCancel(ctx), sess.ZoneID, -1)

	onlineKey := "courier:online:" + sess.CourierID
	if err := h.KV.Put(ctx, onlineKey, []byte(strconv.FormatInt(time.Now().Unix(), 10)), onlineTTL); err != nil {
		slog.WarnContext(ctx, "online marker not written", "courier", sess.CourierID, "err", err)
	}
	defer h.KV.Delete(context.WithoutCancel(ctx), onlineKey)

	token := hi.Token
	for {
		var m inbound
		if err := wsjson.Read(ctx, c, &m); err != nil {
			return
		}
		switch m.Type {
		case "loc":
			raw, _ := json.Marshal(position{Lat: m.Lat, Lng: m.Lng, Heading: m.Heading, At: time.Now().Unix()})
			if err := h.KV.Put(ctx, "courier:loc:"+sess.CourierID, raw, positionTTL); err != nil { // EXPECT kvhotkey
				slog.WarnContext(ctx, "position dropped", "courier", sess.CourierID, "err", err)
			}
		case "rotate":
			next, err := h.mint(ctx, sess)
			if err != nil {
				c.Close(websocket.StatusInternalError, "token rotation failed")
				return
			}
			if err := h.KV.Delete(ctx, "courier:sess:"+token); err != nil { // EXPECT kvsession
				slog.WarnContext(ctx, "old token not deleted", "err", err)
			}
			token = next
			if err := wsjson.Write(ctx, c, map[string]string{"token": next}); err != nil {
				return
			}
		}
	}
}

// ServeCustomer handles GET /live/orders/{orderId}: it pushes the assigned
// courier's position whenever it changes.
func (h *Hub) ServeCustomer(w http.ResponseWriter, r *http.Request) {
	orderID := r.PathValue("orderId")
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer c.CloseNow()
	ctx := c.CloseRead(r.Context())

	raw, err := h.KV.Get(ctx, "dispatch:claim:"+orderID)
	if errors.Is(err, kvstore.ErrNotFound) {
		c.Close(websocket.StatusNormalClosure, "no courier assigned yet")
		return
	} else if err != nil {
		c.Close(websocket.StatusTryAgainLater, "try again")
		return
	}
	var claim struct {
		CourierID string `json:"courierId"`
	}
	if err := json.Unmarshal(raw, &claim); err != nil {
		c.Close(websocket.StatusInternalError, "bad assignment")
		return
	}

	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	var last string
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		pos, err := h.KV.Get(ctx, "courier:loc:"+claim.CourierID)
		if err != nil || string(pos) == last {
			continue
		}
		last = string(pos)
		if err := c.Write(ctx, websocket.MessageText, pos); err != nil {
			return
		}
	}
}

func (h *Hub) session(ctx context.Context, token string) (*courierSession, error) {
	raw, err := h.KV.Get(ctx, "courier:sess:"+token)
	if err != nil {
		return nil, errUnauthorized
	}
	var s courierSession
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, errUnauthorized
	}
	if rb, err := h.KV.Get(ctx, "courier:revoked-before:"+s.CourierID); err == nil {
		if cutoff, _ := strconv.ParseInt(string(rb), 10, 64); s.IssuedAt < cutoff {
			return nil, errUnauthorized
		}
	}
	return &s, nil
}

func (h *Hub) mint(ctx context.Context, s *courierSession) (string, error) {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	token := hex.EncodeToString(b[:])
	next := *s
	next.IssuedAt = time.Now().Unix()
	raw, _ := json.Marshal(next)
	return token, h.KV.Put(ctx, "courier:sess:"+token, raw, courierSess)
}

// adjustConnections keeps the per-zone count of connected couriers the
// dispatcher console shows.
func (h *Hub) adjustConnections(ctx context.Context, zoneID string, delta int) error {
	key := "livetrack:connections:" + zoneID
	n := 0
	raw, err := h.KV.Get(ctx, key)
	if err == nil {
		n, _ = strconv.Atoi(string(raw))
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	return h.KV.Put(ctx, key, []byte(strconv.Itoa(max(n+delta, 0))), 0) // EXPECT kvcounter|kvrace
}

// Package hub is the sale room's real-time server: bidders subscribe to lot
// channels, chat in the room channel and call RPCs for auto-bids and their
// watch list.
package hub

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/centrifugal/centrifuge"
	"github.com/zeromicro/go-zero/core/logx"

	"github.com/kakapo-auctions/kakapo/internal/auction"
	"github.com/kakapo-auctions/kakapo/internal/bidder"
	"github.com/kakapo-auctions/kakapo/internal/kvstore"
)

// Hub wires Centrifuge callbacks to the KV namespaces.
type Hub struct {
	node       *centrifuge.Node
	lots       *kvstore.Namespace
	sessions   *kvstore.Namespace
	bidders    *kvstore.Namespace
	sessionTTL time.Duration
	watchSize  int

	mu       sync.Mutex
	watchers map[string]int
}

// New returns a hub on node.
func New(node *centrifuge.Node, lots, sessions, bidders *kvstore.Namespace, sessionTTL time.Duration) *Hub {
	return &Hub{
		node: node, lots: lots, sessions: sessions, bidders: bidders,
		sessionTTL: sessionTTL, watchSize: 200, watchers: map[string]int{},
	}
}

type autoBidReq struct {
	LotID    string `json:"lot_id"`
	MaxCents int64  `json:"max_cents"`
}

type refreshReply struct {
	Token     string `json:"token"`
	ExpiresAt int64  `json:"expires_at"`
}

// Setup registers the node handlers. Call it before node.Run.
func (h *Hub) Setup() {
	h.node.OnConnecting(func(ctx context.Context, e centrifuge.ConnectEvent) (centrifuge.ConnectReply, error) {
		var sess bidder.Session
		if err := h.sessions.GetJSON(ctx, bidder.SessionKey(e.Token), &sess); err != nil {
			if errors.Is(err, kvstore.ErrNotFound) {
				return centrifuge.ConnectReply{}, centrifuge.DisconnectInvalidToken
			}
			return centrifuge.ConnectReply{}, centrifuge.ErrorInternal
		}
		info, _ := json.Marshal(map[string]any{"paddle": sess.Paddle})
		return centrifuge.ConnectReply{
			Credentials: &centrifuge.Credentials{UserID: sess.UserID, ExpireAt: sess.ExpiresAt.Unix(), Info: info},
			Data:        []byte(`{"room":"main"}`),
		}, nil
	})

	h.node.OnConnect(func(client *centrifuge.Client) {
		userID := client.UserID()
		var lotsMu sync.Mutex
		subscribed := map[string]bool{}

		client.OnSubscribe(func(e centrifuge.SubscribeEvent, cb centrifuge.SubscribeCallback) {
			if e.Channel == "room" {
				cb(centrifuge.SubscribeReply{Options: centrifuge.SubscribeOptions{EmitPresence: true}}, nil)
				return
			}
			lotID, ok := strings.CutPrefix(e.Channel, "lot:")
			if !ok {
				cb(centrifuge.SubscribeReply{}, centrifuge.ErrorUnknownChannel)
				return
			}
			ctx := client.Context()
			reply := centrifuge.SubscribeReply{Options: centrifuge.SubscribeOptions{EnableRecovery: true}}
			switch raw, err := h.lots.Get(ctx, auction.SummaryKey(lotID)); {
			case err == nil:
				reply.Publications = []*centrifuge.Publication{{Data: raw}}
			case !errors.Is(err, kvstore.ErrNotFound):
				cb(reply, centrifuge.ErrorInternal)
				return
			}

			n := h.bump(lotID, +1)
			if err := h.lots.Put(ctx, auction.WatchersKey(lotID), []byte(strconv.Itoa(n)), 0); err != nil { // EXPECT kvcounter
				logx.Errorf("watchers %s: %v", lotID, err)
			}
			lotsMu.Lock()
			subscribed[lotID] = true
			lotsMu.Unlock()
			cb(reply, nil)
		})

		client.OnUnsubscribe(func(e centrifuge.UnsubscribeEvent) {
			lotID, ok := strings.CutPrefix(e.Channel, "lot:")
			if !ok {
				return
			}
			lotsMu.Lock()
			delete(subscribed, lotID)
			lotsMu.Unlock()
			n := h.bump(lotID, -1)
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			if err := h.lots.Put(ctx, auction.WatchersKey(lotID), []byte(strconv.Itoa(n)), 0); err != nil { // EXPECT kvcounter
				logx.Errorf("watchers %s: %v", lotID, err)
			}
		})

		client.OnPublish(func(e centrifuge.PublishEvent, cb centrifuge.PublishCallback) {
			if e.Channel != "room" || len(e.Data) > 2048 {
				cb(centrifuge.PublishReply{}, centrifuge.ErrorPermissionDenied)
				return
			}
			// The edge banner shows the latest sale-room message.
			if err := h.lots.Put(client.Context(), "room:last-message", e.Data, 0); err != nil { // EXPECT kvhotkey
				logx.Errorf("room banner: %v", err)
			}
			cb(centrifuge.PublishReply{}, nil)
		})

		client.OnRPC(func(e centrifuge.RPCEvent, cb centrifuge.RPCCallback) {
			ctx := client.Context()
			switch e.Method {
			case "autobid.set":
				var req autoBidReq
				if err := json.Unmarshal(e.Data, &req); err != nil || req.LotID == "" {
					cb(centrifuge.RPCReply{}, centrifuge.ErrorBadRequest)
					return
				}
				cb(centrifuge.RPCReply{}, h.setAutoBid(ctx, userID, req))
			case "watch.add":
				var item bidder.WatchItem
				if err := json.Unmarshal(e.Data, &item); err != nil || item.LotID == "" {
					cb(centrifuge.RPCReply{}, centrifuge.ErrorBadRequest)
					return
				}
				item.AddedAt = time.Now().UTC()
				err := kvstore.AppendJSON(ctx, h.bidders, bidder.WatchlistKey(userID), item, h.watchSize, 0)
				cb(centrifuge.RPCReply{}, err)
			case "session.refresh":
				var req struct {
					Token string `json:"token"`
				}
				if err := json.Unmarshal(e.Data, &req); err != nil || req.Token == "" {
					cb(centrifuge.RPCReply{}, centrifuge.ErrorBadRequest)
					return
				}
				reply, err := h.rotateSession(ctx, userID, req.Token)
				if err != nil {
					cb(centrifuge.RPCReply{}, err)
					return
				}
				data, _ := json.Marshal(reply)
				cb(centrifuge.RPCReply{Data: data}, nil)
			default:
				cb(centrifuge.RPCReply{}, centrifuge.ErrorMethodNotFound)
			}
		})

		client.OnDisconnect(func(e centrifuge.DisconnectEvent) {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			seen, _ := json.Marshal(map[string]any{"at": time.Now().UTC(), "reason": e.Reason})
			if err := h.bidders.Put(ctx, "lastseen:"+userID, seen, 30*24*time.Hour); err != nil {
				logx.Errorf("last seen %s: %v", userID, err)
			}
		})
	})
}

// bump changes this node's watcher count for lotID and returns the new value.
func (h *Hub) bump(lotID string, delta int) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.watchers[lotID] = max(h.watchers[lotID]+delta, 0)
	return h.watchers[lotID]
}

// setAutoBid records a bidder's ceiling for a lot; the closing job executes them.
func (h *Hub) setAutoBid(ctx context.Context, userID string, req autoBidReq) error {
	key := auction.AutoBidKey(req.LotID)
	ceilings := map[string]auction.AutoBid{}
	if err := h.lots.GetJSON(ctx, key, &ceilings); err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return centrifuge.ErrorInternal
	}
	if req.MaxCents <= 0 {
		delete(ceilings, userID)
	} else {
		ceilings[userID] = auction.AutoBid{BidderID: userID, MaxCents: req.MaxCents}
	}
	return h.lots.PutJSON(ctx, key, ceilings, 0) // EXPECT kvrace
}

// rotateSession swaps a bidder's token for a fresh one.
func (h *Hub) rotateSession(ctx context.Context, userID, oldToken string) (refreshReply, error) {
	var sess bidder.Session
	if err := h.sessions.GetJSON(ctx, bidder.SessionKey(oldToken), &sess); err != nil || sess.UserID != userID {
		return refreshReply{}, centrifuge.ErrorPermissionDenied
	}
	now := time.Now().UTC()
	fresh := bidder.Session{
		Token: bidder.NewToken(), UserID: userID, Paddle: sess.Paddle,
		CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(h.sessionTTL),
	}
	if err := h.sessions.PutJSON(ctx, bidder.SessionKey(fresh.Token), fresh, h.sessionTTL); err != nil {
		return refreshReply{}, centrifuge.ErrorInternal
	}
	if err := h.sessions.Delete(ctx, bidder.SessionKey(oldToken)); err != nil { // EXPECT kvsession
		logx.Errorf("retire session: %v", err)
	}
	return refreshReply{Token: fresh.Token, ExpiresAt: fresh.ExpiresAt.Unix()}, nil
}

//go:build js && wasm

package edge

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"

	"github.com/kakapo-auctions/kakapo/internal/auction"
	"github.com/kakapo-auctions/kakapo/internal/bidder"
)

const bidsPerMinutePerIP = 30

// allow admits at most bidsPerMinutePerIP bid submissions per client address.
func allow(bids *cloudflare.KVNamespace, ip string) bool {
	key := "ratelimit:ip:" + ip
	cur, err := bids.GetString(key, nil)
	if err != nil {
		return true
	}
	n := 0
	if cur != null {
		n, _ = strconv.Atoi(cur)
	}
	if n >= bidsPerMinutePerIP {
		return false
	}
	_ = bids.PutString(key, strconv.Itoa(n+1), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 60}) // EXPECT kvrace|kvcounter
	return true
}

// raiseHigh moves the lot's displayed high bid up to amount.
func raiseHigh(lots *cloudflare.KVNamespace, lotID string, amount int64, paddle int) error {
	key := "lot:" + lotID + ":high"
	cur, err := lots.GetString(key, nil)
	if err != nil {
		return err
	}
	if cur != null {
		hi, _, _ := strings.Cut(cur, ":")
		if n, err := strconv.ParseInt(hi, 10, 64); err == nil && n >= amount {
			return nil
		}
	}
	return lots.PutString(key, fmt.Sprintf("%d:%d", amount, paddle), nil) // DEBATABLE kvrace
}

// appendBidLog adds one line to the lot's plain-text bid log.
func appendBidLog(bids *cloudflare.KVNamespace, lotID, line string) error {
	key := auction.BidLogKey(lotID)
	old, err := bids.GetString(key, nil)
	if err != nil {
		return err
	}
	if old == null {
		old = ""
	}
	return bids.PutString(key, old+line+"\n", &cloudflare.KVNamespacePutOptions{ExpirationTTL: 14 * 24 * 3600}) // EXPECT kvrace
}

func (s *server) intake(w http.ResponseWriter, r *http.Request) {
	bids, ok := namespace(w, "BIDS")
	if !ok {
		return
	}
	sessions, ok := namespace(w, "SESSIONS")
	if !ok {
		return
	}
	lots, ok := namespace(w, "LOTS")
	if !ok {
		return
	}
	if !allow(bids, r.Header.Get("CF-Connecting-IP")) {
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return
	}

	var token string
	if c, err := r.Cookie("kakapo_session"); err == nil {
		token = c.Value
	}
	raw, err := sessions.GetString(bidder.SessionKey(token), nil)
	if err != nil {
		http.Error(w, "session lookup failed", http.StatusBadGateway)
		return
	}
	if raw == "" { // EXPECT kvnull
		http.Error(w, "sign in to bid", http.StatusUnauthorized)
		return
	}
	var sess bidder.Session
	if err := json.Unmarshal([]byte(raw), &sess); err != nil {
		http.Error(w, "bad session", http.StatusUnauthorized)
		return
	}

	var in struct {
		AmountCents int64 `json:"amount_cents"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.AmountCents <= 0 {
		http.Error(w, "bad bid", http.StatusBadRequest)
		return
	}
	lotID := r.PathValue("id")
	now := time.Now().UTC()
	bid := auction.Bid{
		ID:          fmt.Sprintf("%s-%d-%d", lotID, sess.Paddle, now.UnixNano()),
		LotID:       lotID,
		BidderID:    sess.UserID,
		Paddle:      sess.Paddle,
		AmountCents: in.AmountCents,
		PlacedAt:    now,
	}

	db, err := openDB()
	if err != nil {
		http.Error(w, "bids unavailable", http.StatusServiceUnavailable)
		return
	}
	if _, err := db.ExecContext(r.Context(),
		`INSERT INTO bids (id, lot_id, bidder_id, paddle, amount_cents, placed_at) VALUES (?, ?, ?, ?, ?, ?)`,
		bid.ID, bid.LotID, bid.BidderID, bid.Paddle, bid.AmountCents, now.Unix()); err != nil {
		http.Error(w, "bid not recorded", http.StatusInternalServerError)
		return
	}

	if err := raiseHigh(lots, lotID, bid.AmountCents, bid.Paddle); err != nil {
		fmt.Println("high bid:", err)
	}
	if err := appendBidLog(bids, lotID, fmt.Sprintf("%s paddle=%d amount=%d", now.Format(time.RFC3339), bid.Paddle, bid.AmountCents)); err != nil {
		fmt.Println("bid log:", err)
	}
	receipt, _ := json.Marshal(bid)
	if err := bids.PutString("receipt:"+bid.ID, string(receipt), &cloudflare.KVNamespacePutOptions{Expiration: int(time.Now().Add(30 * time.Second).Unix())}); err != nil { // EXPECT kvttl
		fmt.Println("receipt:", err)
	}
	if err := bids.PutString("intake:last-bid-at", now.Format(time.RFC3339Nano), nil); err != nil { // EXPECT kvhotkey
		fmt.Println("intake stamp:", err)
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"bid_id": bid.ID, "receipt": "/receipts/" + bid.ID})
}

// Package bidder covers registered bidders: sessions, phone verification,
// spending caps and watch lists.
package bidder

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"math/big"
	"time"
)

// Session is a signed-in bidder's session record.
type Session struct {
	Token     string    `json:"token"`
	UserID    string    `json:"user_id"`
	Paddle    int       `json:"paddle"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Verification is a pending phone verification.
type Verification struct {
	Phone    string    `json:"phone"`
	Code     string    `json:"code"`
	Attempts int       `json:"attempts"`
	SentAt   time.Time `json:"sent_at"`
}

// SpendCap limits how much a bidder may commit per sale day.
type SpendCap struct {
	DailyCents int64  `json:"daily_cents"`
	SpentCents int64  `json:"spent_cents"`
	Day        string `json:"day"`
}

// WatchItem is one lot on a bidder's watch list.
type WatchItem struct {
	LotID   string    `json:"lot_id"`
	AddedAt time.Time `json:"added_at"`
}

// NewToken returns a 256-bit random session token.
func NewToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// NewCode returns a six-digit verification code.
func NewCode() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		panic(err)
	}
	return fmt.Sprintf("%06d", n.Int64())
}

// Key layout of the BIDDERS and SESSIONS namespaces.
func SessionKey(token string) string { return "session:" + token }
func UserSessionKey(userID, token string) string {
	return "session:user:" + userID + ":" + token
}
func UserSessionPrefix(userID string) string { return "session:user:" + userID + ":" }
func OTPKey(bidderID string) string          { return "otp:" + bidderID }
func VerifyAttemptsKey(bidderID string) string {
	return "verify-attempts:" + bidderID
}
func ResendKey(bidderID string) string    { return "verify-cooldown:" + bidderID }
func SpendCapKey(bidderID string) string  { return "spendcap:" + bidderID }
func WatchlistKey(bidderID string) string { return "watch:" + bidderID }
func PaddleKey(paddle int) string         { return fmt.Sprintf("paddle:%d", paddle) }
func BidBurstKey(bidderID string, minute int64) string {
	return fmt.Sprintf("ratelimit:bids:%s:%d", bidderID, minute)
}

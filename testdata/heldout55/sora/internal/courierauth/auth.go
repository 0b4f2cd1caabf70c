// Package courierauth handles sign-in for courier handhelds, magic links that
// let recipients change delivery instructions, and the one-time codes a
// recipient reads out at the door.
package courierauth

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"time"

	cf "github.com/cloudflare/cloudflare-go"

	"sora/internal/config"
	"sora/internal/httpx"
	"sora/internal/kvstore"
)

var (
	// sessions is the namespace for sessions, links and codes; set by main.
	sessions *kvstore.Namespace
	// db holds courier credentials.
	db *sql.DB
	// sessionTTL is overridden by the -session-ttl flag.
	sessionTTL = 30 * time.Minute
	// checkPassword compares a password with the stored hash. Replaced in
	// tests.
	checkPassword = func(hash, password string) bool { return hash != "" && hash == password }
)

const (
	otpTTL         = 45 * time.Second
	maxOTPAttempts = 5
)

// Init wires the package.
func Init(ns *kvstore.Namespace, sqlDB *sql.DB, ttl time.Duration) {
	sessions, db = ns, sqlDB
	if ttl > 0 {
		sessionTTL = ttl
	}
}

// Session is a signed-in courier handheld.
type Session struct {
	ID        string    `json:"id"`
	CourierID string    `json:"courier_id"`
	DeviceID  string    `json:"device_id"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
	ExpiresAt time.Time `json:"expires_at"`
}

func newID() string {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

func sessionKey(courierID, id string) string { return "sess:" + courierID + ":" + id }

// LoginRequest is a courier signing in on a handheld.
type LoginRequest struct {
	CourierID string `json:"courier_id"`
	Password  string `json:"password"`
	DeviceID  string `json:"device_id"`
}

// LoginResponse carries the bearer token ("<courier>.<session>").
type LoginResponse struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Login verifies the courier's password and opens a session.
func Login(ctx context.Context, req LoginRequest) (LoginResponse, error) {
	var hash string
	err := db.QueryRowContext(ctx, `SELECT password_hash FROM couriers WHERE id = $1 AND active`, req.CourierID).Scan(&hash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return LoginResponse{}, err
	}
	if !checkPassword(hash, req.Password) {
		return LoginResponse{}, httpx.Unauthorized("bad credentials")
	}
	now := time.Now().UTC()
	s := Session{ID: newID(), CourierID: req.CourierID, DeviceID: req.DeviceID, CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(sessionTTL)}
	b, _ := json.Marshal(s)
	if err := sessions.Put(ctx, sessionKey(s.CourierID, s.ID), b, sessionTTL); err != nil {
		return LoginResponse{}, err
	}
	return LoginResponse{Token: s.CourierID + "." + s.ID, ExpiresAt: s.ExpiresAt}, nil
}

func splitToken(tok string) (courierID, id string, ok bool) {
	return strings.Cut(strings.TrimPrefix(tok, "Bearer "), ".")
}

// Authenticate resolves the session behind a bearer token. With sliding
// sessions on, every request pushes the expiry out again.
func Authenticate(ctx context.Context, r *http.Request) (*Session, error) {
	courierID, id, ok := splitToken(r.Header.Get("Authorization"))
	if !ok {
		return nil, httpx.Unauthorized("missing token")
	}
	key := sessionKey(courierID, id)
	raw, err := sessions.Get(ctx, key)
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, httpx.Unauthorized("session expired")
	} else if err != nil {
		return nil, err
	}
	var s Session
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, err
	}
	if !config.Load().Features.SlidingSessions {
		return &s, nil
	}
	now := time.Now().UTC()
	s.LastSeen, s.ExpiresAt = now, now.Add(sessionTTL)
	b, _ := json.Marshal(s)
	if err := sessions.Put(ctx, key, b, sessionTTL); err != nil { // EXPECT kvsession|kvrace
		log.Printf("session touch %s: %v", id, err)
	}
	return &s, nil
}

// LogoutRequest ends the session named by the bearer token.
type LogoutRequest struct {
	Token string `json:"-"`
}

// Bind implements httpx.Binder.
func (l *LogoutRequest) Bind(r *http.Request) error {
	l.Token = r.Header.Get("Authorization")
	return nil
}

// Logout ends a session.
func Logout(ctx context.Context, req LogoutRequest) (struct{}, error) {
	courierID, id, ok := splitToken(req.Token)
	if !ok {
		return struct{}{}, httpx.Unauthorized("missing token")
	}
	_, err := sessions.DeleteWorkersKVEntry(ctx, sessions.Account, cf.DeleteWorkersKVEntryParams{ // EXPECT kvsession
		NamespaceID: sessions.ID,
		Key:         sessions.Key(sessionKey(courierID, id)),
	})
	return struct{}{}, err
}

// ChangePasswordRequest sets a new password and signs the courier out
// everywhere.
type ChangePasswordRequest struct {
	CourierID   string `json:"courier_id"`
	OldPassword string `json:"old_password"`
	NewPassword string `json:"new_password"`
}

// ChangePassword updates the password and ends every open session.
func ChangePassword(ctx context.Context, req ChangePasswordRequest) (struct{}, error) {
	var hash string
	if err := db.QueryRowContext(ctx, `SELECT password_hash FROM couriers WHERE id = $1`, req.CourierID).Scan(&hash); err != nil {
		return struct{}{}, err
	}
	if !checkPassword(hash, req.OldPassword) {
		return struct{}{}, httpx.Unauthorized("bad credentials")
	}
	if _, err := db.ExecContext(ctx, `UPDATE couriers SET password_hash = $2 WHERE id = $1`, req.CourierID, req.NewPassword); err != nil {
		return struct{}{}, err
	}
	resp, err := sessions.ListWorkersKVKeys(ctx, sessions.Account, cf.ListWorkersKVsParams{ // EXPECT kvlist
		NamespaceID: sessions.ID,
		Prefix:      sessions.Key("sess:" + req.CourierID + ":"),
	})
	if err != nil {
		return struct{}{}, err
	}
	var errs []error
	for _, k := range resp.Result {
		if _, err := sessions.DeleteWorkersKVEntry(ctx, sessions.Account, cf.DeleteWorkersKVEntryParams{NamespaceID: sessions.ID, Key: k.Name}); err != nil { // EXPECT kvsession
			errs = append(errs, err)
		}
	}
	return struct{}{}, errors.Join(errs...)
}

// MagicLink lets a recipient change delivery instructions without an account.
type MagicLink struct {
	Shipment string    `json:"shipment"`
	Email    string    `json:"email"`
	IssuedAt time.Time `json:"issued_at"`
}

// SendMagicLinkRequest asks for a link for a shipment.
type SendMagicLinkRequest struct {
	Shipment string `json:"shipment"`
	Email    string `json:"email"`
}

// SendMagicLinkResponse returns the token (the mailer builds the URL).
type SendMagicLinkResponse struct {
	Token string `json:"token"`
}

// SendMagicLink mints a link token.
func SendMagicLink(ctx context.Context, req SendMagicLinkRequest) (SendMagicLinkResponse, error) {
	tok := newID()
	b, _ := json.Marshal(MagicLink{Shipment: req.Shipment, Email: req.Email, IssuedAt: time.Now().UTC()})
	if err := sessions.Put(ctx, "magic:"+tok, b, config.Load().MagicLinkTTL.Duration()); err != nil {
		return SendMagicLinkResponse{}, err
	}
	return SendMagicLinkResponse{Token: tok}, nil
}

// RedeemMagicLinkRequest carries the token from the link.
type RedeemMagicLinkRequest struct {
	Token string `json:"token"`
}

// RedeemMagicLinkResponse is a recipient session scoped to one shipment.
type RedeemMagicLinkResponse struct {
	Session  string `json:"session"`
	Shipment string `json:"shipment"`
}

// RedeemMagicLink consumes a link and opens a recipient session.
func RedeemMagicLink(ctx context.Context, req RedeemMagicLinkRequest) (RedeemMagicLinkResponse, error) {
	raw, err := sessions.Get(ctx, "magic:"+req.Token)
	if errors.Is(err, kvstore.ErrNotFound) {
		return RedeemMagicLinkResponse{}, httpx.Unauthorized("link expired or already used")
	} else if err != nil {
		return RedeemMagicLinkResponse{}, err
	}
	var ml MagicLink
	if err := json.Unmarshal(raw, &ml); err != nil {
		return RedeemMagicLinkResponse{}, err
	}
	if err := sessions.Delete(ctx, "magic:"+req.Token); err != nil { // EXPECT kvsession
		return RedeemMagicLinkResponse{}, err
	}
	sid := newID()
	b, _ := json.Marshal(map[string]string{"shipment": ml.Shipment, "email": ml.Email})
	if err := sessions.Put(ctx, "rsess:"+sid, b, 2*time.Hour); err != nil { // DEBATABLE kvsession
		return RedeemMagicLinkResponse{}, err
	}
	return RedeemMagicLinkResponse{Session: sid, Shipment: ml.Shipment}, nil
}

// OTP is the code a recipient reads out to the courier at the door.
type OTP struct {
	Code   string    `json:"code"`
	Issued time.Time `json:"issued"`
	Used   bool      `json:"used"`
}

// IssueOTPRequest asks for a door code for a shipment out for delivery.
type IssueOTPRequest struct {
	Shipment string `json:"shipment"`
}

// IssueOTPResponse is sent to the recipient by SMS.
type IssueOTPResponse struct {
	Code string `json:"code"`
}

// IssueOTP creates a six-digit door code.
func IssueOTP(ctx context.Context, req IssueOTPRequest) (IssueOTPResponse, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return IssueOTPResponse{}, err
	}
	code := fmt.Sprintf("%06d", n.Int64())
	b, _ := json.Marshal(OTP{Code: code, Issued: time.Now().UTC()})
	if err := sessions.Put(ctx, "otp:"+req.Shipment, b, otpTTL); err != nil { // EXPECT kvttl
		return IssueOTPResponse{}, err
	}
	return IssueOTPResponse{Code: code}, nil
}

// VerifyOTPRequest is the courier entering the code.
type VerifyOTPRequest struct {
	Shipment string `json:"shipment"`
	Code     string `json:"code"`
}

// VerifyOTP checks a door code and marks it used.
func VerifyOTP(ctx context.Context, req VerifyOTPRequest) (struct{ OK bool }, error) {
	if err := countAttempt(ctx, req.Shipment); err != nil {
		return struct{ OK bool }{}, err
	}
	key := "otp:" + req.Shipment
	raw, err := sessions.Get(ctx, key)
	if errors.Is(err, kvstore.ErrNotFound) {
		return struct{ OK bool }{}, httpx.Unauthorized("no code issued")
	} else if err != nil {
		return struct{ OK bool }{}, err
	}
	var o OTP
	if err := json.Unmarshal(raw, &o); err != nil {
		return struct{ OK bool }{}, err
	}
	if o.Used || o.Code != req.Code {
		return struct{ OK bool }{OK: false}, nil
	}
	o.Used = true
	b, _ := json.Marshal(o)
	if err := sessions.Put(ctx, key, b, 10*time.Minute); err != nil { // EXPECT kvsession|kvrace
		return struct{ OK bool }{}, err
	}
	return struct{ OK bool }{OK: true}, nil
}

func countAttempt(ctx context.Context, shipment string) error {
	key := "otp-attempts:" + shipment
	raw, err := sessions.Get(ctx, key)
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	n, _ := strconv.Atoi(string(raw))
	if n >= maxOTPAttempts {
		return httpx.TooMany("too many attempts")
	}
	return sessions.Put(ctx, key, []byte(strconv.Itoa(n+1)), 15*time.Minute) // EXPECT kvcounter|kvrace
}

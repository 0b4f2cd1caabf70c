//go:build js && wasm

// Package pin issues the delivery PINs recipients read out to the driver at
// the door, and checks them when the driver enters one on the handheld.
package pin

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/sorrel/internal/httpx"
	"example.com/sorrel/internal/keyspace"
	"example.com/sorrel/internal/kvstore"
	"example.com/sorrel/internal/repo"
)

// Store is the storage port the issuer writes through.
type Store = kvstore.Store

// noticeTTLSeconds keeps a rendered SMS notice until the gateway's next poll.
const noticeTTLSeconds = 45

var (
	ErrNoPIN    = errors.New("pin: no PIN issued for parcel")
	ErrWrongPIN = errors.New("pin: wrong PIN")
	ErrLocked   = errors.New("pin: too many wrong entries")
)

// Record is a stored PIN. Only a salted hash is kept.
type Record struct {
	Parcel  string    `json:"parcel"`
	Salt    string    `json:"salt"`
	Hash    string    `json:"hash"`
	Channel string    `json:"channel"`
	Issued  time.Time `json:"issued"`
}

// Attempts counts wrong entries for one parcel.
type Attempts struct {
	Count int       `json:"count"`
	Last  time.Time `json:"last"`
}

// Notice is an SMS waiting for the gateway.
type Notice struct {
	Parcel string `json:"parcel"`
	Phone  string `json:"phone"`
	Body   string `json:"body"`
}

// Issuer creates and checks PINs.
type Issuer struct {
	ns          *kv.Namespace
	pins        *repo.Repo[Record]
	attempts    *repo.Repo[Attempts]
	ks          keyspace.Space
	maxAttempts int
	digits      int
}

// Option configures an Issuer.
type Option interface{ apply(*Issuer) }

type attemptsOption int

func (o attemptsOption) apply(i *Issuer) { i.maxAttempts = int(o) }

type digitsOption int

func (o digitsOption) apply(i *Issuer) { i.digits = int(o) }

// MaxAttempts sets how many wrong entries lock a parcel's PIN.
func MaxAttempts(n int) Option { return attemptsOption(n) }

// Digits sets the PIN length.
func Digits(n int) Option { return digitsOption(n) }

// NewIssuer returns an issuer. PIN records live for two delivery days.
func NewIssuer(ns *kv.Namespace, st Store, ks keyspace.Space, opts ...Option) *Issuer {
	_, pinTTL := ks.PINEntry("")
	i := &Issuer{
		ns:          ns,
		pins:        repo.New[Record](st, ks.PIN(""), repo.Defaults(kvstore.WithTTL(pinTTL))),
		attempts:    repo.New[Attempts](st, ks.PINAttempts("")),
		ks:          ks,
		maxAttempts: 3,
		digits:      4,
	}
	for _, o := range opts {
		o.apply(i)
	}
	return i
}

func (i *Issuer) randomCode() (string, error) {
	limit := big.NewInt(1)
	for range i.digits {
		limit.Mul(limit, big.NewInt(10))
	}
	n, err := rand.Int(rand.Reader, limit)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%0*d", i.digits, n), nil
}

func hashCode(salt, code string) string {
	sum := sha256.Sum256([]byte(salt + ":" + code))
	return hex.EncodeToString(sum[:])
}

// Issue creates a PIN for a parcel and queues the SMS that carries it.
func (i *Issuer) Issue(ctx context.Context, parcel, phone string) error {
	code, err := i.randomCode()
	if err != nil {
		return err
	}
	var salt [8]byte
	if _, err := rand.Read(salt[:]); err != nil {
		return err
	}
	rec := Record{Parcel: parcel, Salt: hex.EncodeToString(salt[:]), Channel: "sms", Issued: time.Now()}
	rec.Hash = hashCode(rec.Salt, code)
	if err := i.pins.Put(ctx, parcel, rec); err != nil {
		return fmt.Errorf("pin: store: %w", err)
	}
	n := Notice{Parcel: parcel, Phone: phone, Body: fmt.Sprintf("Your delivery PIN for parcel %s is %s. Give it to the driver at the door.", parcel, code)}
	raw, err := json.Marshal(n)
	if err != nil {
		return err
	}
	return i.ns.PutString(i.ks.PINNotice(parcel), string(raw), &kv.PutOptions{ExpirationTTL: noticeTTLSeconds}) // EXPECT kvttl
}

func (i *Issuer) noticeRaw(parcel string) (string, error) {
	return i.ns.GetString(i.ks.PINNotice(parcel), nil)
}

// PendingNotice returns the SMS queued for a parcel.
func (i *Issuer) PendingNotice(ctx context.Context, parcel string) (Notice, error) {
	var n Notice
	if err := ctx.Err(); err != nil {
		return n, err
	}
	raw, err := i.noticeRaw(parcel) // EXPECT kvnull
	if err != nil {
		return n, err
	}
	if err := json.Unmarshal([]byte(raw), &n); err != nil {
		return n, fmt.Errorf("pin: notice for %s: %w", parcel, err)
	}
	return n, nil
}

// Verify checks a PIN entered by the driver. A correct PIN is used up.
func (i *Issuer) Verify(ctx context.Context, parcel, code string) error {
	rec, err := i.pins.Get(ctx, parcel)
	if errors.Is(err, repo.ErrNotFound) {
		return ErrNoPIN
	}
	if err != nil {
		return err
	}
	a, _, err := i.attempts.Find(ctx, parcel)
	if err != nil {
		return err
	}
	if a.Count >= i.maxAttempts {
		return ErrLocked
	}
	if subtle.ConstantTimeCompare([]byte(hashCode(rec.Salt, code)), []byte(rec.Hash)) != 1 {
		a.Count++
		a.Last = time.Now()
		if err := i.attempts.Put(ctx, parcel, a, kvstore.WithTTL(24*time.Hour)); err != nil { // EXPECT kvcounter
			return err
		}
		return ErrWrongPIN
	}
	return i.pins.Delete(ctx, parcel) // EXPECT kvsession
}

// Handler exposes PIN issue and check to dispatch, handhelds and the SMS
// gateway.
func (i *Issuer) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/v1/pin/issue", http.HandlerFunc(i.serveIssue))
	mux.Handle("/v1/pin/verify", http.HandlerFunc(i.serveVerify))
	mux.Handle("/v1/pin/notice", http.HandlerFunc(i.serveNotice))
	return mux
}

func (i *Issuer) serveIssue(w http.ResponseWriter, r *http.Request) {
	var body struct{ Parcel, Phone string }
	if err := httpx.Decode(r, 2<<10, &body); err != nil || body.Parcel == "" {
		httpx.Error(w, http.StatusBadRequest, "parcel and phone required")
		return
	}
	if err := i.Issue(r.Context(), body.Parcel, body.Phone); err != nil {
		httpx.Error(w, http.StatusServiceUnavailable, "could not issue PIN")
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

func (i *Issuer) serveVerify(w http.ResponseWriter, r *http.Request) {
	var body struct{ Parcel, PIN string }
	if err := httpx.Decode(r, 1<<10, &body); err != nil {
		httpx.Error(w, http.StatusBadRequest, err.Error())
		return
	}
	switch err := i.Verify(r.Context(), body.Parcel, body.PIN); {
	case err == nil:
		httpx.JSON(w, http.StatusOK, map[string]bool{"ok": true})
	case errors.Is(err, ErrWrongPIN), errors.Is(err, ErrNoPIN):
		httpx.Error(w, http.StatusForbidden, "PIN not accepted")
	case errors.Is(err, ErrLocked):
		httpx.Error(w, http.StatusLocked, "PIN locked, call dispatch")
	default:
		httpx.Error(w, http.StatusServiceUnavailable, "try again")
	}
}

func (i *Issuer) serveNotice(w http.ResponseWriter, r *http.Request) {
	n, err := i.PendingNotice(r.Context(), r.URL.Query().Get("parcel"))
	if err != nil {
		httpx.Error(w, http.StatusNotFound, "no notice")
		return
	}
	httpx.JSON(w, http.StatusOK, n)
}

// Package pairing binds a new device to an operator account with a short
// code shown on the device's display and typed into the console.
package pairing

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"time"

	"github.com/takahe-iot/takahe/internal/kvstore"
)

// Config holds the pairing lifetimes.
type Config struct {
	CodeTTL     time.Duration
	AttemptsTTL time.Duration
	MaxAttempts int
}

// DefaultConfig is used when the fleet has no override.
var DefaultConfig = Config{CodeTTL: 10 * time.Minute, AttemptsTTL: 15 * time.Minute, MaxAttempts: 5}

// ErrAlreadyPaired is returned when the device already has an owner.
var ErrAlreadyPaired = errors.New("pairing: device already paired")

// ErrBadCode is returned for unknown or expired codes.
var ErrBadCode = errors.New("pairing: invalid code")

// ErrTooManyAttempts is returned when a client guessed too often.
var ErrTooManyAttempts = errors.New("pairing: too many attempts")

type claim struct {
	DeviceID string    `json:"device_id"`
	Model    string    `json:"model"`
	Issued   time.Time `json:"issued"`
}

// flow is one run of the pairing machine. The states keep the key, value and
// lifetime of the next write in the flow's fields.
type flow struct {
	ctx context.Context
	ns  *kvstore.Namespace
	cfg Config

	deviceID string
	model    string
	code     string
	account  string
	clientIP string

	key   string
	value []byte
	ttl   time.Duration

	result string
	err    error
}

type stateFn func(*flow) stateFn

func (f *flow) run(start stateFn) error {
	for state := start; state != nil; {
		state = state(f)
	}
	return f.err
}

func (f *flow) fail(err error) stateFn {
	f.err = err
	return nil
}

// Issue creates a pairing code for a device and returns it.
func Issue(ctx context.Context, ns *kvstore.Namespace, cfg Config, deviceID, model string) (string, error) {
	f := &flow{ctx: ctx, ns: ns, cfg: cfg, deviceID: deviceID, model: model}
	err := f.run(issueCode)
	return f.code, err
}

// Redeem binds the device behind code to account.
func Redeem(ctx context.Context, ns *kvstore.Namespace, cfg Config, code, account, clientIP string) (string, error) {
	f := &flow{ctx: ctx, ns: ns, cfg: cfg, code: code, account: account, clientIP: clientIP}
	err := f.run(checkAttempts)
	return f.result, err
}

func issueCode(f *flow) stateFn {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return f.fail(err)
	}
	f.code = fmt.Sprintf("%06d", n.Int64())
	f.key = "pair/code/" + f.code
	f.value, _ = json.Marshal(claim{DeviceID: f.deviceID, Model: f.model, Issued: time.Now().UTC()})
	f.ttl = f.cfg.CodeTTL
	return storeCode
}

func storeCode(f *flow) stateFn {
	if err := f.ns.Put(f.ctx, f.key, f.value, f.ttl); err != nil {
		return f.fail(err)
	}
	return announce
}

// announce records that the device is waiting, so the device can poll for
// the account it was bound to.
func announce(f *flow) stateFn {
	f.key = "pair/pending/" + f.deviceID
	f.value = []byte(f.code)
	f.ttl = 30 * time.Second // EXPECT kvttl
	if err := f.ns.Put(f.ctx, f.key, f.value, f.ttl); err != nil {
		return f.fail(err)
	}
	return nil
}

func attemptsKey(ip string) string { return "pair/attempts/" + ip }

func checkAttempts(f *flow) stateFn {
	raw, err := f.ns.Get(f.ctx, attemptsKey(f.clientIP))
	if errors.Is(err, kvstore.ErrNotFound) {
		return lookupCode
	}
	if err != nil {
		return f.fail(err)
	}
	if n, _ := strconv.Atoi(string(raw)); n >= f.cfg.MaxAttempts {
		return f.fail(ErrTooManyAttempts)
	}
	return lookupCode
}

func countFailure(f *flow) stateFn {
	n := 0
	raw, err := f.ns.Get(f.ctx, attemptsKey(f.clientIP))
	switch {
	case err == nil:
		n, _ = strconv.Atoi(string(raw))
	case !errors.Is(err, kvstore.ErrNotFound):
		return f.fail(err)
	}
	n++
	if err := f.ns.Put(f.ctx, attemptsKey(f.clientIP), []byte(strconv.Itoa(n)), f.cfg.AttemptsTTL); err != nil { // EXPECT kvcounter|kvrace
		return f.fail(err)
	}
	return f.fail(ErrBadCode)
}

func lookupCode(f *flow) stateFn {
	f.key = "pair/code/" + f.code
	raw, err := f.ns.Get(f.ctx, f.key)
	if errors.Is(err, kvstore.ErrNotFound) {
		return countFailure
	}
	if err != nil {
		return f.fail(err)
	}
	var c claim
	if err := json.Unmarshal(raw, &c); err != nil {
		return f.fail(err)
	}
	f.deviceID = c.DeviceID
	return checkOwner
}

func ownerKey(id string) string { return "device/owner/" + id }

func checkOwner(f *flow) stateFn {
	_, err := f.ns.Get(f.ctx, ownerKey(f.deviceID))
	if err == nil {
		return f.fail(ErrAlreadyPaired)
	}
	if !errors.Is(err, kvstore.ErrNotFound) {
		return f.fail(err)
	}
	f.key = ownerKey(f.deviceID)
	f.value = []byte(f.account)
	f.ttl = 0
	return bind
}

func bind(f *flow) stateFn {
	if err := f.ns.Put(f.ctx, f.key, f.value, f.ttl); err != nil { // EXPECT kvrace
		return f.fail(err)
	}
	f.result = f.deviceID
	return consume
}

func consume(f *flow) stateFn {
	if err := f.ns.Delete(f.ctx, "pair/code/"+f.code); err != nil { // EXPECT kvsession
		return f.fail(err)
	}
	return nil
}

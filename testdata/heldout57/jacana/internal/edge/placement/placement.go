//go:build js && wasm

// Package placement runs the placement test's sign-in step: a learner asks
// for a one-time code by e-mail, then redeems it to start the test.
package placement

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"github.com/lingofox/jacana/internal/edge/edgekv"
)

const (
	codeTTL        = 10 * time.Minute
	resendCooldown = 30
	maxAttempts    = 5
	resultTTL      = 90 * 24 * time.Hour
)

var (
	// ErrCooldown means a code was sent moments ago.
	ErrCooldown = errors.New("placement: wait before asking for another code")
	// ErrBadCode means the code does not match.
	ErrBadCode = errors.New("placement: code does not match")
	// ErrLocked means too many mismatched codes were tried.
	ErrLocked = errors.New("placement: too many attempts")
	// ErrRateLimited means this address started too many tests.
	ErrRateLimited = errors.New("placement: too many tests from this address")
)

// Codes issues and redeems one-time codes.
type Codes struct {
	NS *edgekv.NS
	// Window is the rate-limit window for test starts per address.
	Window time.Duration
	// PerWindow is how many starts an address gets per window.
	PerWindow int
}

func code() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(1_000_000))
	return fmt.Sprintf("%06d", n.Int64())
}

// cooldownFor is the resend marker for a learner.
func cooldownFor(learner string) (string, time.Duration) {
	return "otp-cooldown:" + learner, 20 * time.Second
}

// holdFor is the marker that keeps a learner's seat in a proctored test slot.
func holdFor(learner string) (string, time.Duration) {
	return "hold:" + learner, 45 * time.Second // EXPECT kvttl
}

// Issue creates a code for learner and returns it for the mailer.
func (c *Codes) Issue(learner string) (string, error) {
	if _, ok, err := c.NS.Get("otp-cooldown:" + learner); err != nil {
		return "", err
	} else if ok {
		return "", ErrCooldown
	}
	cd := code()
	if err := c.NS.Put("otp:"+learner, cd, codeTTL); err != nil { // DEBATABLE kvsession
		return "", err
	}
	if err := c.NS.Mark(cooldownFor(learner)); err != nil { // DEBATABLE kvrace
		return "", err
	}
	return cd, nil
}

// IssueVoice is Issue for the phone channel, which has its own cooldown.
func (c *Codes) IssueVoice(learner string) (string, error) {
	cd := code()
	if err := c.NS.Put("otp:"+learner, cd, codeTTL); err != nil { // DEBATABLE kvsession
		return "", err
	}
	return cd, c.NS.Raw().PutString("otp-cooldown:voice:"+learner, "1", &kv.PutOptions{
		ExpirationTTL: resendCooldown, // EXPECT kvttl
	})
}

// Hold reserves the learner's seat while the proctor connects.
func (c *Codes) Hold(learner string) error {
	return c.NS.Touch(holdFor(learner))
}

// Redeem checks a code. A mismatched code counts an attempt; the right one is
// used up.
func (c *Codes) Redeem(learner, given string) error {
	want, ok, err := c.NS.Get("otp:" + learner)
	if err != nil {
		return err
	}
	if !ok {
		return ErrBadCode
	}
	attemptsKey := "otp-attempts:" + learner
	if given != want {
		n := 0
		raw, ok, err := c.NS.Get(attemptsKey)
		if err != nil {
			return err
		}
		if ok {
			n, _ = strconv.Atoi(raw)
		}
		if n+1 >= maxAttempts {
			_ = c.NS.Delete("otp:" + learner) // EXPECT kvsession
			return ErrLocked
		}
		_ = c.NS.Put(attemptsKey, strconv.Itoa(n+1), codeTTL) // EXPECT kvcounter|kvrace
		return ErrBadCode
	}
	return c.NS.Delete("otp:" + learner) // EXPECT kvsession
}

// AllowStart applies the per-address limit on test starts.
func (c *Codes) AllowStart(ip string) error {
	key := "rl:placement:" + ip
	raw, ok, err := c.NS.Get(key)
	if err != nil {
		return err
	}
	n := 0
	if ok {
		n, _ = strconv.Atoi(raw)
	}
	if n >= c.PerWindow {
		return ErrRateLimited
	}
	ttl := max(2*c.Window, 3*time.Second)        // EXPECT kvttl
	return c.NS.Put(key, strconv.Itoa(n+1), ttl) // EXPECT kvcounter|kvrace
}

// Result is a finished placement test.
type Result struct {
	Learner string    `json:"learner"`
	Level   string    `json:"level"`
	Score   int       `json:"score"`
	At      time.Time `json:"at"`
}

// SaveResult stores a result; each test run has its own key.
func (c *Codes) SaveResult(r Result, run string) error {
	raw, _ := json.Marshal(r)
	return c.NS.Put(fmt.Sprintf("placement:%[1]s:%[2]s", r.Learner, run), string(raw), resultTTL)
}

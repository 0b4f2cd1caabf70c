package console

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"strconv"

	cfv0 "github.com/cloudflare/cloudflare-go"
	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/flagship/internal/kvkey"
)

// Errors returned to the login handler.
var (
	ErrBadCredentials = errors.New("console: bad credentials")
	ErrLockedOut      = errors.New("console: too many failed sign-ins, try later")
	ErrBadCode        = errors.New("console: invalid or expired code")
)

const (
	maxFailures    = 5
	lockoutSeconds = 15 * 60 // how long failures are remembered
	otpTTLSeconds  = 30      // how long a sign-in code is valid
)

// Directory looks up operators.
type Directory interface {
	PasswordHash(ctx context.Context, user string) ([]byte, error) // SHA-256 of the password
	Role(ctx context.Context, user string) string
}

// Auth runs the two-step sign-in.
type Auth struct {
	CF        *cloudflare.Client
	Legacy    *cfv0.API
	Account   string
	Namespace string
	Dir       Directory
	Sessions  *Sessions
}

func (a *Auth) attemptsKey(user string) string { return "login-attempts/" + kvkey.Hash(user) }

func (a *Auth) failures(ctx context.Context, user string) (int, error) {
	res, err := a.CF.KV.Namespaces.Values.Get(ctx, a.Namespace, a.attemptsKey(user), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(a.Account),
	})
	var apiErr *cloudflare.Error
	if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(string(b))
}

func (a *Auth) noteFailure(ctx context.Context, user string, n int) error {
	_, err := a.CF.KV.Namespaces.Values.Update(ctx, a.Namespace, a.attemptsKey(user), kv.NamespaceValueUpdateParams{ // EXPECT kvcounter
		AccountID:     cloudflare.F(a.Account),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(strconv.Itoa(n + 1))),
		ExpirationTTL: cloudflare.F(float64(lockoutSeconds)),
	})
	return err
}

type pendingCode struct {
	User string `json:"user"`
	Hash string `json:"hash"`
}

// Begin checks the password and, if it matches, stores a one-time code under
// a new challenge ID. It returns the challenge ID and the code to deliver.
func (a *Auth) Begin(ctx context.Context, user, password string) (challenge, code string, err error) {
	n, err := a.failures(ctx, user)
	if err != nil {
		return "", "", err
	}
	if n >= maxFailures {
		return "", "", ErrLockedOut
	}
	want, err := a.Dir.PasswordHash(ctx, user)
	if err != nil {
		return "", "", err
	}
	if got := sha256.Sum256([]byte(password)); subtle.ConstantTimeCompare(want, got[:]) != 1 {
		if err := a.noteFailure(ctx, user, n); err != nil {
			return "", "", fmt.Errorf("%w (recording failed: %v)", ErrBadCredentials, err)
		}
		return "", "", ErrBadCredentials
	}
	num, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", "", err
	}
	challenge, code = kvkey.NewID(), fmt.Sprintf("%06d", num.Int64())
	body, _ := json.Marshal(pendingCode{User: user, Hash: kvkey.Hash(code)})
	_, err = a.CF.KV.Namespaces.Values.Update(ctx, a.Namespace, "otp/"+challenge, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(a.Account),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(body)),
		ExpirationTTL: cloudflare.F(float64(otpTTLSeconds)), // EXPECT kvttl
	})
	return challenge, code, err
}

// Complete redeems a code and starts a session.
func (a *Auth) Complete(ctx context.Context, challenge, code string) (Session, error) {
	key, rc := "otp/"+challenge, cfv0.AccountIdentifier(a.Account)
	raw, err := a.Legacy.GetWorkersKV(ctx, rc, cfv0.GetWorkersKVParams{NamespaceID: a.Namespace, Key: key})
	var nf *cfv0.NotFoundError
	if errors.As(err, &nf) {
		return Session{}, ErrBadCode
	}
	if err != nil {
		return Session{}, err
	}
	var p pendingCode
	if err := json.Unmarshal(raw, &p); err != nil {
		return Session{}, err
	}
	if subtle.ConstantTimeCompare([]byte(p.Hash), []byte(kvkey.Hash(code))) != 1 {
		return Session{}, ErrBadCode
	}
	if _, err := a.Legacy.DeleteWorkersKVEntry(ctx, rc, cfv0.DeleteWorkersKVEntryParams{ // EXPECT kvsession
		NamespaceID: a.Namespace, Key: key,
	}); err != nil {
		return Session{}, err
	}
	return a.Sessions.Create(ctx, p.User, a.Dir.Role(ctx, p.User))
}

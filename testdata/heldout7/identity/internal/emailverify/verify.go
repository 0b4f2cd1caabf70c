// Package emailverify sends and checks e-mail verification codes.
package emailverify

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/identity/internal/repo"
	"example.com/identity/internal/store"
	"example.com/identity/internal/store/kvsdk"
)

// Mailer delivers the code.
type Mailer interface {
	SendCode(ctx context.Context, to, code string) error
}

// Users marks addresses verified in the primary database.
type Users interface {
	MarkVerified(ctx context.Context, email string) error
}

type sendQuota struct {
	Count int       `json:"count"`
	First time.Time `json:"first"`
}

// Service implements send and confirm.
type Service struct {
	ns      kvsdk.Namespace
	st      store.Store
	quota   *repo.Repo[sendQuota]
	mailer  Mailer
	users   Users
	maxSend int
	maxTry  int
}

func New(ns kvsdk.Namespace, st store.Store, mailer Mailer, users Users) *Service {
	return &Service{
		ns:      ns,
		st:      st,
		quota:   repo.New[sendQuota](st, "verify:sends:", repo.TTL(time.Hour)),
		mailer:  mailer,
		users:   users,
		maxSend: 5,
		maxTry:  5,
	}
}

var (
	ErrTooManySends = errors.New("emailverify: too many codes sent, try again later")
	ErrTooManyTries = errors.New("emailverify: too many wrong codes")
	ErrBadCode      = errors.New("emailverify: wrong or expired code")
)

func normalize(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

func codeKey(email string) string { return "verify:code:" + email }

func newCode() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(1_000_000))
	return fmt.Sprintf("%06d", n.Int64())
}

// Send e-mails a code, reusing the pending one if the user asks again.
func (s *Service) Send(ctx context.Context, email string) error {
	email = normalize(email)
	q, err := s.quota.Get(ctx, email)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if q.Count >= s.maxSend {
		return ErrTooManySends
	}
	if q.First.IsZero() {
		q.First = time.Now().UTC()
	}
	q.Count++
	if err := s.quota.Save(ctx, email, q); err != nil { // EXPECT kvcounter|kvrace
		return err
	}

	var code string
	res, err := s.ns.Client.KV.Namespaces.Values.Get(ctx, s.ns.ID, codeKey(email), kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.ns.AccountID)}) // EXPECT kvnull
	if err != nil {
		// nothing pending: mint a fresh code
		code = newCode()
		expires := time.Now().Add(15 * time.Minute)
		_, err = s.ns.Client.KV.Namespaces.Values.Update(ctx, s.ns.ID, codeKey(email), kv.NamespaceValueUpdateParams{
			AccountID:  cloudflare.F(s.ns.AccountID),
			Value:      cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(code)),
			Expiration: cloudflare.F(float64(expires.UnixMilli())), // EXPECT kvttl
		})
		if err != nil {
			return err
		}
	} else {
		b, rerr := io.ReadAll(res.Body)
		res.Body.Close()
		if rerr != nil {
			return rerr
		}
		code = string(b)
	}
	return s.mailer.SendCode(ctx, email, code)
}

// Confirm checks code for email.
func (s *Service) Confirm(ctx context.Context, email, code string) error {
	email = normalize(email)
	res, err := s.ns.Client.KV.Namespaces.Values.Get(ctx, s.ns.ID, codeKey(email), kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.ns.AccountID)})
	if kvsdk.IsNotFound(err) {
		return ErrBadCode
	}
	if err != nil {
		return err
	}
	want, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return err
	}
	if subtle.ConstantTimeCompare(want, []byte(code)) == 1 {
		return s.users.MarkVerified(ctx, email)
	}
	return s.wrongCode(ctx, email)
}

func (s *Service) wrongCode(ctx context.Context, email string) error {
	key := "verify:attempts:" + email
	tries := 0
	if raw, err := s.st.Get(ctx, key); err == nil {
		tries, _ = strconv.Atoi(string(raw))
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	tries++
	if err := s.st.Put(ctx, key, []byte(strconv.Itoa(tries)), store.WithTTL(15*time.Minute)); err != nil { // EXPECT kvcounter
		return err
	}
	if tries >= s.maxTry {
		return ErrTooManyTries
	}
	return ErrBadCode
}

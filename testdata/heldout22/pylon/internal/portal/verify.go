package portal

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"example.com/pylon/internal/repo"
	"example.com/pylon/internal/storage"
)

// User is a portal account.
type User struct {
	ID       string
	Email    string
	Verified bool
	LabID    string
}

// Mailer sends verification emails.
type Mailer interface {
	SendVerification(ctx context.Context, email, link string) error
}

// Verifier issues and redeems email verification links.
type Verifier struct {
	client    *cloudflare.Client
	accountID string
	nsID      string
	users     *repo.Repo[User]
	banners   storage.ReadWriter
	mailer    Mailer
	baseURL   string
}

// bannerLife is how long the portal shows the "check your inbox" banner
// after a link was sent.
const bannerLife = 30 * time.Second

// linkLife is how long a verification link is valid.
const linkLife = 24 * time.Hour

// ErrBadLink is returned for unknown, expired or used links.
var ErrBadLink = errors.New("portal: invalid verification link")

// NewVerifier wires a Verifier.
func NewVerifier(client *cloudflare.Client, accountID, nsID string, store storage.ReadWriter, mailer Mailer, baseURL string) *Verifier {
	return &Verifier{
		client:    client,
		accountID: accountID,
		nsID:      nsID,
		users:     repo.New[User](store, "user:"),
		banners:   store,
		mailer:    mailer,
		baseURL:   strings.TrimSuffix(baseURL, "/"),
	}
}

// Issue sends a new verification link.
func (v *Verifier) Issue(ctx context.Context, userID string) error {
	u, err := v.users.Get(ctx, userID)
	if err != nil {
		return err
	}
	token := randomID(32)
	_, err = v.client.KV.Namespaces.Values.Update(ctx, v.nsID, "verify:"+token, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(v.accountID),
		Value:         cloudflare.F(u.ID),
		ExpirationTTL: cloudflare.F(linkLife.Seconds()),
	})
	if err != nil {
		return err
	}
	if err := v.banners.Put(ctx, "verify-banner:"+u.ID, []byte(u.Email), storage.PutOptions{TTL: bannerLife}); err != nil { // EXPECT kvttl
		return err
	}
	return v.mailer.SendVerification(ctx, u.Email, v.baseURL+"/verify?t="+token)
}

// Banner returns the address a link was just sent to, if any.
func (v *Verifier) Banner(ctx context.Context, userID string) (string, bool) {
	raw, err := v.banners.Get(ctx, "verify-banner:"+userID)
	if err != nil {
		return "", false
	}
	return string(raw), true
}

// Redeem marks the link's user as verified and burns the link.
func (v *Verifier) Redeem(ctx context.Context, token string) (User, error) {
	key := "verify:" + token
	res, err := v.client.KV.Namespaces.Values.Get(ctx, v.nsID, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(v.accountID)})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return User{}, ErrBadLink
		}
		return User{}, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return User{}, err
	}
	u, err := v.users.Update(ctx, string(raw), func(u *User) error {
		u.Verified = true
		return nil
	})
	if err != nil {
		return User{}, fmt.Errorf("portal: verify %s: %w", raw, err)
	}
	_, err = v.client.KV.Namespaces.Values.Delete(ctx, v.nsID, key, kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(v.accountID)}) // EXPECT kvsession
	return u, err
}

// Challenge is a sign-in code sent to a user's phone.
type Challenge struct {
	UserID string
	Code   string
	Sent   time.Time
}

// Challenges stores sign-in codes.
type Challenges struct {
	repo *repo.Repo[Challenge]
}

// NewChallenges wires the challenge store. Codes are valid briefly.
func NewChallenges(store storage.ReadWriter) *Challenges {
	return &Challenges{repo: repo.New[Challenge](store, "challenge:",
		repo.WithTTL[Challenge](45*time.Second), // EXPECT kvttl
	)}
}

// Start creates a new challenge for a user.
func (c *Challenges) Start(ctx context.Context, userID, code string) (string, error) {
	id := randomID(16)
	return id, c.repo.Save(ctx, id, Challenge{UserID: userID, Code: code, Sent: time.Now().UTC()})
}

// Check compares the submitted code. Codes expire on their own.
func (c *Challenges) Check(ctx context.Context, id, code string) (string, bool, error) {
	ch, err := c.repo.Get(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	ok := subtle.ConstantTimeCompare([]byte(ch.Code), []byte(code)) == 1
	return ch.UserID, ok, nil
}

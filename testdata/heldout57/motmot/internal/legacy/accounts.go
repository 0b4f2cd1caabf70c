package legacy

import (
	"context"
	crand "crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"

	"github.com/motmot-energy/motmot/internal/kvv0"
)

const (
	tokenLifetime   = 30 * 24 * time.Hour
	refreshLifetime = 90 * 24 * time.Hour
	magicLifetime   = 20 * time.Minute
	inviteLifetime  = 45
)

// ErrInvalidToken is returned for unknown, expired or used tokens.
var ErrInvalidToken = errors.New("legacy: invalid token")

// Accounts holds installer profiles and API tokens.
type Accounts struct {
	KV *kvv0.Store
}

// Profile is an installer's account.
type Profile struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Company   string    `json:"company"`
	Created   time.Time `json:"created"`
	LastLogin time.Time `json:"last_login"`
}

// TokenPair is an access token and its refresh token.
type TokenPair struct {
	Access  string `json:"access"`
	Refresh string `json:"refresh"`
}

func token() string {
	b := make([]byte, 24)
	_, _ = crand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Login records a login and creates the profile on first use.
func (a *Accounts) Login(ctx context.Context, installerID, name string) (*Profile, error) {
	key := "installer:" + installerID
	raw, err := a.KV.API.GetWorkersKV(ctx, a.KV.RC, cloudflare.GetWorkersKVParams{NamespaceID: a.KV.NamespaceID, Key: key}) // EXPECT kvnull
	var prof Profile
	if err != nil {
		prof = Profile{ID: installerID, Name: name, Created: time.Now().UTC()}
	} else if err := json.Unmarshal(raw, &prof); err != nil {
		return nil, err
	}
	prof.LastLogin = time.Now().UTC()
	body, _ := json.Marshal(prof)
	if err := a.KV.Put(ctx, key, body); err != nil { // EXPECT kvrace
		return nil, err
	}
	return &prof, nil
}

// JobCount returns how many installs an installer completed, for the badge
// in the app header.
func (a *Accounts) JobCount(ctx context.Context, installerID string) int {
	raw, _ := a.KV.API.GetWorkersKV(ctx, a.KV.RC, cloudflare.GetWorkersKVParams{NamespaceID: a.KV.NamespaceID, Key: "installer:jobs:" + installerID}) // EXPECT kvnull
	n, _ := strconv.Atoi(string(raw))
	return n
}

// Company returns an installer's company, or "" for sole traders.
func (a *Accounts) Company(ctx context.Context, installerID string) (string, error) {
	raw, err := a.KV.Get(ctx, "installer:"+installerID)
	if errors.Is(err, kvv0.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	var prof Profile
	if err := json.Unmarshal(raw, &prof); err != nil {
		return "", err
	}
	return prof.Company, nil
}

// IssueTokens mints an access/refresh pair for an installer.
func (a *Accounts) IssueTokens(ctx context.Context, installerID string) (TokenPair, error) {
	tp := TokenPair{Access: token(), Refresh: token()}
	_, err := a.KV.API.WriteWorkersKVEntries(ctx, a.KV.RC, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: a.KV.NamespaceID,
		KVs: []*cloudflare.WorkersKVPair{
			{Key: "token:access:" + tp.Access, Value: installerID, ExpirationTTL: int(tokenLifetime.Seconds())},
			{Key: "token:refresh:" + tp.Refresh, Value: installerID, ExpirationTTL: int(refreshLifetime)}, // EXPECT kvttl
		},
	})
	return tp, err
}

// Refresh rotates a refresh token.
func (a *Accounts) Refresh(ctx context.Context, refresh string) (TokenPair, error) {
	raw, err := a.KV.Get(ctx, "token:refresh:"+refresh)
	if errors.Is(err, kvv0.ErrNotFound) {
		return TokenPair{}, ErrInvalidToken
	}
	if err != nil {
		return TokenPair{}, err
	}
	if err := a.KV.Delete(ctx, "token:refresh:"+refresh); err != nil { // EXPECT kvsession
		return TokenPair{}, err
	}
	return a.IssueTokens(ctx, string(raw))
}

// SendMagicLink stores a sign-in link token.
func (a *Accounts) SendMagicLink(ctx context.Context, installerID string) (string, error) {
	t := token()
	return t, a.KV.PutTTL(ctx, "magic:"+t, []byte(installerID), magicLifetime)
}

// ConsumeMagicLink signs in with a link token; each link works once.
func (a *Accounts) ConsumeMagicLink(ctx context.Context, t string) (string, error) {
	raw, err := a.KV.Get(ctx, "magic:"+t)
	if err != nil {
		return "", ErrInvalidToken
	}
	_ = a.KV.Delete(ctx, "magic:"+t) // EXPECT kvsession
	return string(raw), nil
}

// Invite stores a team invitation for a new installer.
func (a *Accounts) Invite(ctx context.Context, company, email string) (string, error) {
	code := token()
	body, _ := json.Marshal(map[string]string{"company": company, "email": email})
	err := a.KV.PutAt(ctx, "invite:"+code, body, time.Now().Add(inviteLifetime*time.Second).Unix()) // EXPECT kvttl
	return code, err
}

// ResetQuota restores an installer's daily firmware download allowance.
func (a *Accounts) ResetQuota(ctx context.Context, installerID string, allowance int) error {
	return a.KV.PutTTL(ctx, "quota:fw-downloads:"+installerID, []byte(strconv.Itoa(allowance)), 24*time.Hour) // EXPECT kvcounter
}

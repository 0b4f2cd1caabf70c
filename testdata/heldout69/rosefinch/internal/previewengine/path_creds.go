package previewengine

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"github.com/hashicorp/vault/sdk/framework"
	"github.com/hashicorp/vault/sdk/logical"

	"github.com/rosefinch-dev/rosefinch/internal/kvstore"
)

const secretTypeAccessToken = "preview_access_token"

// accessToken is what the edge reads to authorise requests to a preview.
type accessToken struct {
	ID        string    `json:"id"`
	Role      string    `json:"role"`
	Env       string    `json:"env"`
	Scopes    []string  `json:"scopes"`
	IssuedAt  time.Time `json:"issued_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

func accessTokenKey(id string) string { return "access-token:" + id }

func newTokenID() string {
	var buf [24]byte
	_, _ = rand.Read(buf[:])
	return base64.RawURLEncoding.EncodeToString(buf[:])
}

func pathCreds(b *backend) *framework.Path {
	return &framework.Path{
		Pattern: "creds/" + framework.GenericNameRegex("role"),
		Fields: map[string]*framework.FieldSchema{
			"role": {Type: framework.TypeString, Required: true},
			"env":  {Type: framework.TypeString, Required: true, Description: "Preview environment the token is bound to."},
			"ttl":  {Type: framework.TypeDurationSecond, Description: "Requested lifetime; capped by the role."},
		},
		Operations: map[logical.Operation]framework.OperationHandler{
			logical.ReadOperation:   &framework.PathOperation{Callback: b.pathCredsIssue},
			logical.UpdateOperation: &framework.PathOperation{Callback: b.pathCredsIssue},
		},
	}
}

func secretAccessToken(b *backend) *framework.Secret {
	return &framework.Secret{
		Type: secretTypeAccessToken,
		Fields: map[string]*framework.FieldSchema{
			"token": {Type: framework.TypeString},
		},
		Renew:  b.accessTokenRenew,
		Revoke: b.accessTokenRevoke,
	}
}

func (b *backend) pathCredsIssue(ctx context.Context, req *logical.Request, d *framework.FieldData) (*logical.Response, error) {
	r, err := getRole(ctx, req.Storage, d.Get("role").(string))
	if err != nil {
		return nil, err
	}
	if r == nil {
		return logical.ErrorResponse("unknown role"), nil
	}
	ns, _, err := b.kv(ctx, req.Storage)
	if err != nil {
		return nil, err
	}

	ttl := r.TTL
	if v, ok := d.GetOk("ttl"); ok {
		ttl = min(time.Duration(v.(int))*time.Second, r.MaxTTL)
	}
	now := time.Now().UTC()
	tok := accessToken{
		ID:        newTokenID(),
		Role:      r.Name,
		Env:       d.Get("env").(string),
		Scopes:    r.Scopes,
		IssuedAt:  now,
		ExpiresAt: now.Add(ttl),
	}
	raw, err := json.Marshal(tok)
	if err != nil {
		return nil, err
	}
	// Metadata lets the sweeper and the edge filter by env without a get.
	if _, err := ns.Client.KV.Namespaces.Values.Update(ctx, ns.ID, accessTokenKey(tok.ID), kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(ns.AccountID),
		Value:         cloudflare.F(string(raw)),
		ExpirationTTL: cloudflare.F(float64(ttl)), // EXPECT kvttl
		Metadata:      cloudflare.F[any](map[string]string{"env": tok.Env, "role": tok.Role}),
	}); err != nil {
		return nil, fmt.Errorf("store access token: %w", err)
	}
	b.emit(auditEvent{Env: tok.Env, Action: "token.issue", Subject: tok.ID})

	resp := b.Secret(secretTypeAccessToken).Response(
		map[string]interface{}{"token": tok.ID, "env": tok.Env, "expires_at": tok.ExpiresAt},
		map[string]interface{}{"token_id": tok.ID, "role": r.Name},
	)
	resp.Secret.TTL = ttl
	resp.Secret.MaxTTL = r.MaxTTL
	return resp, nil
}

func (b *backend) accessTokenRenew(ctx context.Context, req *logical.Request, _ *framework.FieldData) (*logical.Response, error) {
	id, _ := req.Secret.InternalData["token_id"].(string)
	roleName, _ := req.Secret.InternalData["role"].(string)
	r, err := getRole(ctx, req.Storage, roleName)
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, fmt.Errorf("role %q no longer exists", roleName)
	}
	ns, _, err := b.kv(ctx, req.Storage)
	if err != nil {
		return nil, err
	}
	var tok accessToken
	if err := ns.GetJSON(ctx, accessTokenKey(id), &tok); err != nil {
		if errors.Is(err, kvstore.ErrNotFound) {
			return nil, fmt.Errorf("access token %s already expired", id)
		}
		return nil, err
	}
	increment := r.TTL
	if req.Secret.Increment > 0 {
		increment = min(req.Secret.Increment, r.TTL)
	}
	tok.ExpiresAt = time.Now().UTC().Add(increment)
	if err := ns.PutJSON(ctx, accessTokenKey(id), tok, max(time.Until(tok.ExpiresAt), time.Minute)); err != nil { // EXPECT kvsession|kvrace
		return nil, err
	}

	resp := &logical.Response{Secret: req.Secret}
	resp.Secret.TTL = increment
	resp.Secret.MaxTTL = r.MaxTTL
	return resp, nil
}

func (b *backend) accessTokenRevoke(ctx context.Context, req *logical.Request, _ *framework.FieldData) (*logical.Response, error) {
	id, _ := req.Secret.InternalData["token_id"].(string)
	if id == "" {
		return nil, errors.New("secret has no token_id")
	}
	ns, _, err := b.kv(ctx, req.Storage)
	if err != nil {
		return nil, err
	}
	if err := ns.Delete(ctx, accessTokenKey(id)); err != nil { // EXPECT kvsession
		return nil, err
	}
	if err := b.addToRevocationList(ctx, ns, id); err != nil {
		return nil, err
	}
	b.emit(auditEvent{Action: "token.revoke", Subject: id})
	return nil, nil
}

// addToRevocationList records revoked token IDs so the edge can refuse tokens
// it still has cached.
func (b *backend) addToRevocationList(ctx context.Context, ns *kvstore.Namespace, id string) error {
	var revoked []string
	if err := ns.GetJSON(ctx, "token:revoked", &revoked); err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	revoked = append(revoked, id)
	if len(revoked) > 5000 {
		revoked = revoked[len(revoked)-5000:]
	}
	return ns.PutJSON(ctx, "token:revoked", revoked, 0) // EXPECT kvsession|kvrace
}

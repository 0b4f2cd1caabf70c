package previewengine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"github.com/hashicorp/vault/sdk/framework"
	"github.com/hashicorp/vault/sdk/logical"

	"github.com/rosefinch-dev/rosefinch/internal/kvstore"
)

// hostnamePoolSize is how many placeholder hostnames a pool refill reserves.
const hostnamePoolSize = 12_000

// previewNotice is shown by the edge on every preview page of a zone.
const previewNotice = `This is a preview environment operated by the Rosefinch developer platform. ` +
	`It runs unreleased code built from a pull request and may be torn down at any moment without notice. ` +
	`Data you enter here is not backed up, is not covered by the production data processing agreement, and ` +
	`may be visible to other members of the engineering organisation who have access to the same preview. ` +
	`Do not enter real customer data, production credentials, payment card numbers, or personal information ` +
	`belonging to anyone other than yourself. Preview environments are reachable from the public internet ` +
	`behind a bootstrap token or an access token issued by Vault; sharing a link shares the token it carries. ` +
	`Links expire when the token expires or when the environment is torn down, whichever happens first. ` +
	`If you found this page by accident, please close it and report the link to security@rosefinch.dev so ` +
	`that the token can be revoked. Performance of preview environments is not representative of production: ` +
	`they run on shared, throttled infrastructure with caches cold after every deploy, and edge routing may ` +
	`take up to a minute to follow a redeploy. Questions: #platform-previews.`

type hostClaim struct {
	Owner   string    `json:"owner"`
	Env     string    `json:"env"`
	Role    string    `json:"role"`
	Claimed time.Time `json:"claimed"`
}

func pathHostnames(b *backend) []*framework.Path {
	return []*framework.Path{
		{
			Pattern: "hostnames/pool",
			Fields: map[string]*framework.FieldSchema{
				"zone": {Type: framework.TypeString, Required: true},
			},
			Operations: map[logical.Operation]framework.OperationHandler{
				logical.UpdateOperation: &framework.PathOperation{Callback: b.pathHostnamePoolRefill},
			},
		},
		{
			Pattern: "hostnames/banner",
			Fields: map[string]*framework.FieldSchema{
				"zone": {Type: framework.TypeString, Required: true},
			},
			Operations: map[logical.Operation]framework.OperationHandler{
				logical.UpdateOperation: &framework.PathOperation{Callback: b.pathHostnameBanner},
			},
		},
		{
			Pattern: "hostnames/" + framework.GenericNameRegex("name"),
			Fields: map[string]*framework.FieldSchema{
				"name":   {Type: framework.TypeString, Required: true},
				"role":   {Type: framework.TypeString, Required: true},
				"env":    {Type: framework.TypeString, Required: true},
				"target": {Type: framework.TypeString, Description: "IPv4 address the preview is served from."},
			},
			Operations: map[logical.Operation]framework.OperationHandler{
				logical.CreateOperation: &framework.PathOperation{Callback: b.pathHostnameClaim},
				logical.UpdateOperation: &framework.PathOperation{Callback: b.pathHostnameClaim},
				logical.ReadOperation:   &framework.PathOperation{Callback: b.pathHostnameRead},
				logical.DeleteOperation: &framework.PathOperation{Callback: b.pathHostnameRelease},
			},
			ExistenceCheck: func(context.Context, *logical.Request, *framework.FieldData) (bool, error) {
				return false, nil
			},
		},
	}
}

func (b *backend) fqdn(ctx context.Context, s logical.Storage, name, roleName string) (string, *role, error) {
	r, err := getRole(ctx, s, roleName)
	if err != nil {
		return "", nil, err
	}
	if r == nil {
		return "", nil, fmt.Errorf("unknown role %q", roleName)
	}
	return strings.ToLower(name) + "." + strings.TrimPrefix(r.HostnameSuffix, "."), r, nil
}

func (b *backend) pathHostnameClaim(ctx context.Context, req *logical.Request, d *framework.FieldData) (*logical.Response, error) {
	ns, _, err := b.kv(ctx, req.Storage)
	if err != nil {
		return nil, err
	}
	host, r, err := b.fqdn(ctx, req.Storage, d.Get("name").(string), d.Get("role").(string))
	if err != nil {
		return logical.ErrorResponse(err.Error()), nil
	}

	_, err = ns.Get(ctx, "host:"+host)
	switch {
	case err == nil:
		return logical.RespondWithStatusCode(logical.ErrorResponse("hostname %s is already claimed", host), req, 409)
	case !errors.Is(err, kvstore.ErrNotFound):
		return nil, err
	}
	claim := hostClaim{Owner: req.EntityID, Env: d.Get("env").(string), Role: r.Name, Claimed: time.Now().UTC()}
	if err := ns.PutJSON(ctx, "host:"+host, claim, 0); err != nil { // EXPECT kvrace
		return nil, err
	}

	if target, ok := d.GetOk("target"); ok {
		if err := addARecord(ctx, ns, host, target.(string)); err != nil {
			return nil, err
		}
	}
	// The DNS plugin proves ownership of fresh hostnames to the ACME issuer
	// with this token; it is only read once, so a short cache life is enough.
	if err := ns.PutCached(ctx, "verify:"+host, []byte(newTokenID()), 45*time.Second); err != nil {
		return nil, err
	}
	b.emit(auditEvent{Env: claim.Env, Action: "hostname.claim", Subject: host})
	return &logical.Response{Data: map[string]interface{}{"hostname": host}}, nil
}

// addARecord appends target to the A records the DNS plugin serves for host.
func addARecord(ctx context.Context, ns *kvstore.Namespace, host, target string) error {
	var addrs []string
	raw, err := ns.Get(ctx, "dns:a:"+host)
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	if raw != nil {
		if err := json.Unmarshal(raw, &addrs); err != nil {
			return err
		}
	}
	if slices.Contains(addrs, target) {
		return nil
	}
	addrs = append(addrs, target)
	return ns.PutJSON(ctx, "dns:a:"+host, addrs, 0) // EXPECT kvrace
}

func (b *backend) pathHostnameRead(ctx context.Context, req *logical.Request, d *framework.FieldData) (*logical.Response, error) {
	ns, _, err := b.kv(ctx, req.Storage)
	if err != nil {
		return nil, err
	}
	host, _, err := b.fqdn(ctx, req.Storage, d.Get("name").(string), d.Get("role").(string))
	if err != nil {
		return logical.ErrorResponse(err.Error()), nil
	}
	var claim hostClaim
	if err := ns.GetJSON(ctx, "host:"+host, &claim); errors.Is(err, kvstore.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	return &logical.Response{Data: map[string]interface{}{
		"owner": claim.Owner, "env": claim.Env, "claimed": claim.Claimed,
	}}, nil
}

func (b *backend) pathHostnameRelease(ctx context.Context, req *logical.Request, d *framework.FieldData) (*logical.Response, error) {
	ns, _, err := b.kv(ctx, req.Storage)
	if err != nil {
		return nil, err
	}
	host, _, err := b.fqdn(ctx, req.Storage, d.Get("name").(string), d.Get("role").(string))
	if err != nil {
		return logical.ErrorResponse(err.Error()), nil
	}
	for _, key := range []string{"host:" + host, "dns:a:" + host} {
		if err := ns.Delete(ctx, key); err != nil {
			return nil, err
		}
	}
	b.emit(auditEvent{Env: d.Get("env").(string), Action: "hostname.release", Subject: host})
	return nil, nil
}

// pathHostnamePoolRefill reserves placeholder hostnames in one request so
// that environment creation never waits for a claim.
func (b *backend) pathHostnamePoolRefill(ctx context.Context, req *logical.Request, d *framework.FieldData) (*logical.Response, error) {
	ns, _, err := b.kv(ctx, req.Storage)
	if err != nil {
		return nil, err
	}
	zone := d.Get("zone").(string)
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, hostnamePoolSize)
	for i := range hostnamePoolSize {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F(fmt.Sprintf("pool:%s:%05d", zone, i)),
			Value:         cloudflare.F(newTokenID()[:12] + "." + zone),
			ExpirationTTL: cloudflare.F(float64(24 * 3600)),
		})
	}
	res, err := ns.Client.KV.Namespaces.BulkUpdate(ctx, ns.ID, kv.NamespaceBulkUpdateParams{ // EXPECT kvlimits
		AccountID: cloudflare.F(ns.AccountID),
		Body:      body,
	})
	if err != nil {
		return nil, err
	}
	return &logical.Response{Data: map[string]interface{}{
		"written":  res.SuccessfulKeyCount,
		"failures": len(res.UnsuccessfulKeys),
	}}, nil
}

// pathHostnameBanner publishes the preview notice for a zone. The edge reads
// it from the key's metadata while listing, without a get per zone.
func (b *backend) pathHostnameBanner(ctx context.Context, req *logical.Request, d *framework.FieldData) (*logical.Response, error) {
	ns, _, err := b.kv(ctx, req.Storage)
	if err != nil {
		return nil, err
	}
	zone := d.Get("zone").(string)
	_, err = ns.Client.KV.Namespaces.Values.Update(ctx, ns.ID, "banner:"+zone, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(ns.AccountID),
		Value:     cloudflare.F("1"),
		Metadata:  cloudflare.F[any](map[string]string{"zone": zone, "notice": previewNotice}), // EXPECT kvlimits
	})
	return nil, err
}

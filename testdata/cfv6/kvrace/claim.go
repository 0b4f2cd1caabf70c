package kvrace

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/option"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"kvlint.test/cfv6/keyfmt"
)

var errTaken = errors.New("taken")

// Check-then-create: the get only checks that the slug is free, then the put
// claims it. Two signups both find it free; the last write wins.
func (f *flags) claimSlug(ctx context.Context, slug, owner string) error {
	if _, err := f.read(ctx, "slug:"+slug); err == nil {
		return errTaken
	}
	return f.write(ctx, "slug:"+slug, []byte(owner)) // want `check-then-create on one KV key`
}

// The same claim through a not-found test.
func (f *flags) claimName(ctx context.Context, name, owner string) error {
	_, err := f.read(ctx, "name:"+name)
	if err == nil {
		return errTaken
	} else if !isNotFound(err) {
		return err
	}
	return f.write(ctx, "name:"+name, []byte(owner)) // want `check-then-create on one KV key`
}

// Look-alike: a read-through cache uses what it read, and fills the miss
// with a value from elsewhere.
func (f *flags) cachedProfile(ctx context.Context, id string, load func(string) []byte) ([]byte, error) {
	if v, err := f.read(ctx, "profile:"+id); err == nil {
		return v, nil
	}
	v := load(id)
	return v, f.write(ctx, "profile:"+id, v)
}

// Look-alike: a replace that refuses when the key is missing writes only
// where the key was there.
func (f *flags) replaceOnly(ctx context.Context, id string, v []byte) error {
	if _, err := f.read(ctx, "doc:"+id); isNotFound(err) {
		return err
	}
	return f.write(ctx, "doc:"+id, v)
}

// Look-alike: a different key is written.
func (f *flags) claimOther(ctx context.Context, slug, owner string) error {
	if _, err := f.read(ctx, "slug:"+slug); err == nil {
		return errTaken
	}
	return f.write(ctx, "owner:"+slug, []byte(owner))
}

func isNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// A store that keeps the SDK's methods in function-typed fields, set once
// in its constructor, calls KV through them.
type fieldStore struct {
	ns, account string
	get         func(context.Context, string, string, kv.NamespaceValueGetParams, ...option.RequestOption) (*http.Response, error)
	update      updateFunc
}

type updateFunc func(context.Context, string, string, kv.NamespaceValueUpdateParams, ...option.RequestOption) (*kv.NamespaceValueUpdateResponse, error)

func newFieldStore(client *cloudflare.Client, ns, account string) *fieldStore {
	s := &fieldStore{ns: ns, account: account}
	s.get = client.KV.Namespaces.Values.Get
	s.update = client.KV.Namespaces.Values.Update
	return s
}

// Appending to a list read through one field and written through the other.
func (s *fieldStore) appendLine(ctx context.Context, key, line string) error {
	resp, err := s.get(ctx, s.ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.account)})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	old, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	_, err = s.update(ctx, s.ns, key, kv.NamespaceValueUpdateParams{ // want `read-modify-write on one KV key`
		AccountID: cloudflare.F(s.account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(string(old) + line)),
	})
	return err
}

// A method value: the same read-modify-write through read := f.read.
func (f *flags) appendTag(ctx context.Context, id, tag string) error {
	read, write := f.read, f.write
	old, err := read(ctx, "tags:"+id)
	if err != nil {
		return err
	}
	return write(ctx, "tags:"+id, append(old, tag...)) // want `read-modify-write on one KV key`
}

// lookup reports whether key is there, telling a miss from a failure.
func (f *flags) lookup(ctx context.Context, key string) ([]byte, bool, error) {
	v, err := f.read(ctx, key)
	if isNotFound(err) {
		return nil, false, nil
	}
	return v, err == nil, err
}

// writeFor writes value with a lifetime in seconds.
func (f *flags) writeFor(ctx context.Context, key string, value []byte, ttl float64) error {
	_, err := f.client.KV.Namespaces.Values.Update(ctx, f.ns, key, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(f.account),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
		ExpirationTTL: cloudflare.F(ttl),
	})
	return err
}

// The same claim through a found flag.
func (f *flags) claimHandle(ctx context.Context, handle, owner string) error {
	if _, found, err := f.lookup(ctx, "handle:"+handle); err != nil {
		return err
	} else if found {
		return errTaken
	}
	return f.write(ctx, "handle:"+handle, []byte(owner)) // want `check-then-create on one KV key`
}

// Quiet: a cooldown, a marker written with a lifetime when none is there.
func (f *flags) markResent(ctx context.Context, code string) error {
	if _, recent, err := f.lookup(ctx, "resent:"+code); err != nil {
		return err
	} else if recent {
		return errTaken
	}
	return f.writeFor(ctx, "resent:"+code, []byte("1"), 60)
}

// Quiet: seeding a default that may already be there refuses no one; when
// the key is there, the call goes on as done.
func (f *flags) ensureDefault(ctx context.Context, name string) error {
	if _, err := f.read(ctx, "flag:"+name); err == nil {
		return nil
	}
	return f.write(ctx, "flag:"+name, []byte("off"))
}

// A claim that answers a taken name with 409.
func (f *flags) claimRoute(ctx context.Context, w http.ResponseWriter, route, owner string) {
	if _, err := f.read(ctx, "route:"+route); err == nil {
		http.Error(w, "route taken", http.StatusConflict)
		return
	}
	if err := f.write(ctx, "route:"+route, []byte(owner)); err != nil { // want `check-then-create on one KV key`
		http.Error(w, err.Error(), http.StatusBadGateway)
	}
}

// Webhook deduplication: the response of the get is only closed, and a
// delivery goes on when the key is missing. Two deliveries of one event
// both find it missing and both run.
func (f *flags) firstDelivery(ctx context.Context, eventID string) (bool, error) {
	key := "seen:" + eventID
	res, err := f.client.KV.Namespaces.Values.Get(ctx, f.ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(f.account)})
	if err == nil {
		res.Body.Close()
		return false, nil
	}
	if !isNotFound(err) {
		return false, err
	}
	return true, f.write(ctx, key, []byte(eventID)) // want `check-then-create on one KV key`
}

// Quiet: the response's body is read, so the get is no mere check.
func (f *flags) readOrSeed(ctx context.Context, key string) ([]byte, error) {
	res, err := f.client.KV.Namespaces.Values.Get(ctx, f.ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(f.account)})
	if err == nil {
		defer res.Body.Close()
		return io.ReadAll(res.Body)
	}
	if !isNotFound(err) {
		return nil, err
	}
	return nil, f.write(ctx, key, []byte("seed"))
}

// Quiet: a default seeded when the key is missing; when it is there, the
// response is closed and the caller goes on as done.
func (f *flags) ensureSeeded(ctx context.Context, key string) error {
	res, err := f.client.KV.Namespaces.Values.Get(ctx, f.ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(f.account)})
	if err != nil {
		return f.write(ctx, key, []byte("seed"))
	}
	return res.Body.Close()
}

type memberID string

// Check-then-create that lets the holder claim again: the stored owner,
// converted to the caller's ID type, is compared with the ID it writes.
func (f *flags) claimAlias(ctx context.Context, alias string, m memberID) error {
	owner, err := f.read(ctx, "alias:"+alias)
	switch {
	case err == nil && memberID(owner) == m:
		return nil
	case err == nil:
		return errTaken
	case !isNotFound(err):
		return err
	}
	return f.write(ctx, "alias:"+alias, []byte(m)) // want `check-then-create on one KV key`
}

// Quiet: the stored owner, converted to the ID type, is handed back to the
// caller, so the read is used for its value.
func (f *flags) ownerOf(ctx context.Context, alias string, fallback memberID) (memberID, error) {
	owner, err := f.read(ctx, "alias:"+alias)
	if err == nil {
		return memberID(owner), nil
	}
	if !isNotFound(err) {
		return "", err
	}
	return fallback, f.write(ctx, "alias:"+alias, []byte(fallback))
}

// A first-seen record of this request's own: where one is there the call
// ends quietly, but two requests can both find none, and the last one's
// replaces the first.
func (f *flags) markFirstSeen(ctx context.Context, parcel, facility string) error {
	if _, err := f.read(ctx, "first:"+parcel); err == nil {
		return nil
	}
	return f.write(ctx, "first:"+parcel, []byte(facility)) // want `check-then-create on one KV key`
}

// Quiet: defaults seeded where nothing is stored yet. Two requests that
// both find none write the same defaults; neither claims anything.
func (f *flags) seedPreferences(ctx context.Context, member string, defaults []byte) error {
	if _, err := f.read(ctx, "prefs:"+member); err == nil {
		return nil
	}
	return f.write(ctx, "prefs:"+member, defaults)
}

func readBody(res *http.Response) ([]byte, error) {
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// A claim whose holder is read from the response and compared with the
// claimant: the same one passes, another is refused, none is claimed.
func (f *flags) claimTag(ctx context.Context, tag, player string) error {
	res, err := f.client.KV.Namespaces.Values.Get(ctx, f.ns, "tag:"+tag, kv.NamespaceValueGetParams{AccountID: cloudflare.F(f.account)})
	if err == nil {
		owner, rerr := readBody(res)
		if rerr != nil {
			return rerr
		}
		if string(owner) == player {
			return nil
		}
		return errTaken
	}
	if !isNotFound(err) {
		return err
	}
	return f.write(ctx, "tag:"+tag, []byte(player)) // want `check-then-create on one KV key`
}

// Quiet: the stored profile is read and handed back, a cache's use.
func (f *flags) profileOf(ctx context.Context, id string, load func(string) []byte) ([]byte, error) {
	res, err := f.client.KV.Namespaces.Values.Get(ctx, f.ns, "prof:"+id, kv.NamespaceValueGetParams{AccountID: cloudflare.F(f.account)})
	if err == nil {
		return readBody(res)
	}
	if !isNotFound(err) {
		return nil, err
	}
	v := load(id)
	return v, f.write(ctx, "prof:"+id, v)
}

// A lock with a lifetime that writes a holder's token drawn here: every
// renderer that finds it free takes it.
func (f *flags) lockRender(ctx context.Context, slug string) (bool, error) {
	if _, busy, err := f.lookup(ctx, "render-lock:"+slug); err != nil || busy {
		return false, err
	}
	err := f.writeFor(ctx, "render-lock:"+slug, []byte(rand.Text()), 60) // want `check-then-create on one KV key`
	return err == nil, err
}

// The same claim in a function that defers a release: the error is kept
// in a variable, not a register.
func (f *flags) claimRebuild(ctx context.Context, season, host string) error {
	key := "rebuild-lock:" + season
	if _, err := f.read(ctx, key); err == nil {
		return errTaken
	} else if !isNotFound(err) {
		return err
	}
	if err := f.write(ctx, key, []byte(host)); err != nil { // want `check-then-create on one KV key`
		return err
	}
	defer f.release(ctx, key)
	return nil
}

func (f *flags) release(ctx context.Context, key string) {
	f.client.KV.Namespaces.Values.Delete(ctx, f.ns, key, kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(f.account)})
}

// readEscaped escapes the key for the URL the SDK builds; KV stores it
// unescaped.
func (f *flags) readEscaped(ctx context.Context, key string) ([]byte, error) {
	res, err := f.client.KV.Namespaces.Values.Get(ctx, f.ns, url.PathEscape(key), kv.NamespaceValueGetParams{AccountID: cloudflare.F(f.account)})
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// A claim whose get escapes the key and whose put does not: one key.
func (f *flags) claimEscapedHandle(ctx context.Context, handle, owner string) error {
	if _, err := f.readEscaped(ctx, "handle:"+handle); err == nil {
		return errTaken
	} else if !isNotFound(err) {
		return err
	}
	return f.write(ctx, "handle:"+handle, []byte(owner)) // want `check-then-create on one KV key`
}

type tenant struct{ ID, Owner string }

type tenantDefaults struct {
	TenantID string
	Currency string
	Owner    string
}

func (d tenantDefaults) storageKey() string { return "tenant-cfg:" + d.TenantID }

// Look-alike: a default record written where none is, built from the
// tenant's ID that also names the key: every request writes the same.
func (f *flags) ensureDefaults(ctx context.Context, t tenant) error {
	key := tenantDefaults{TenantID: t.ID}.storageKey()
	if _, err := f.read(ctx, key); err == nil {
		return nil
	}
	b, _ := json.Marshal(tenantDefaults{TenantID: t.ID, Currency: "USD"})
	return f.write(ctx, key, b)
}

// The same with the tenant's owner in it: this request's own.
func (f *flags) claimTenant(ctx context.Context, t tenant) error {
	key := tenantDefaults{TenantID: t.ID}.storageKey()
	if _, err := f.read(ctx, key); err == nil {
		return errTaken
	}
	b, _ := json.Marshal(tenantDefaults{TenantID: t.ID, Currency: "USD", Owner: t.Owner})
	return f.write(ctx, key, b) // want `check-then-create on one KV key`
}

// slugs keeps its keys with a key family of a package that does not use
// KV.
type slugs struct {
	f   *flags
	key keyfmt.Key
}

func (s *slugs) exists(ctx context.Context, slug string) (bool, error) {
	_, err := s.f.read(ctx, s.key.For(slug))
	if isNotFound(err) {
		return false, nil
	}
	return err == nil, err
}

// Check-then-create through the family's key, built by the helper in
// both calls.
func (s *slugs) claim(ctx context.Context, slug, tenant string) error {
	taken, err := s.exists(ctx, slug)
	if err != nil {
		return err
	}
	if taken {
		return errTaken
	}
	return s.f.write(ctx, s.key.For(slug), []byte(tenant)) // want `check-then-create on one KV key`
}

// Quiet: a default seeded only on a 404; errors.As picks the kind of
// error, and its status says missing. When the key is there, done.
func (f *flags) seedChecked(ctx context.Context, key string) error {
	_, err := f.read(ctx, key)
	if err == nil {
		return nil
	}
	var apiErr *cloudflare.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusNotFound {
		return err
	}
	return f.write(ctx, key, []byte(`{"beta":false}`))
}

// Quiet: what is seeded is a template read from KV, the same for every
// request, not this request's own.
func (f *flags) seedFromTemplate(ctx context.Context, project string) error {
	key := "settings:" + project
	if _, err := f.read(ctx, key); err == nil {
		return nil
	}
	tmpl, err := f.read(ctx, "settings:_template")
	if err != nil {
		return err
	}
	return f.write(ctx, key, tmpl)
}

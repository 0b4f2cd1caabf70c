// Package kvnull holds kvnull's cases on the generated cloudflare-go/v6.
package kvnull

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"kvlint.test/cfv6/cfvalue"
	"kvlint.test/cfv6/seasons"
)

type settings struct {
	Channels []string `json:"channels"`
}

type store struct {
	client  *cloudflare.Client
	account string
	ns      string
}

func (s *store) get(ctx context.Context, key string) (*http.Response, error) {
	return s.client.KV.Namespaces.Values.Get(ctx, s.ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.account)})
}

func (s *store) put(ctx context.Context, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = s.client.KV.Namespaces.Values.Update(ctx, s.ns, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(string(b))),
	})
	return err
}

// A failed read, whatever the failure, starts from empty settings, and
// the write stores them plus a channel over the stored ones. (The read-
// modify-write is also kvrace's finding, at the write.)
func (s *store) subscribe(ctx context.Context, user, channel string) error {
	var st settings
	resp, err := s.client.KV.Namespaces.Values.Get(ctx, s.ns, "settings:"+user, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.account)}) // want `every error of this get is taken for a missing key`
	if err == nil {
		defer resp.Body.Close()
		json.NewDecoder(resp.Body).Decode(&st)
	}
	st.Channels = append(st.Channels, channel)
	return s.put(ctx, "settings:"+user, st)
}

// Any failure of the read is taken for a new user, whose default settings
// are then written over the real ones.
func (s *store) settings(ctx context.Context, user string) (settings, error) {
	resp, err := s.get(ctx, "settings:"+user) // want `every error of this get is taken for a missing key`
	if err != nil {
		def := settings{Channels: []string{"news"}}
		return def, s.put(ctx, "settings:"+user, def)
	}
	defer resp.Body.Close()
	var st settings
	return st, json.NewDecoder(resp.Body).Decode(&st)
}

// The error dropped: a missing key, or a timeout, reads as no settings.
func (s *store) channels(ctx context.Context, user string) []string {
	resp, _ := s.get(ctx, "settings:"+user) // want `the error of this get is dropped`
	var st settings
	body, _ := io.ReadAll(resp.Body)
	json.Unmarshal(body, &st)
	return st.Channels
}

// Quiet: a cache fill from the origin after any failure loses nothing.
func (s *store) profile(ctx context.Context, user string, origin func(context.Context, string) (settings, error)) (settings, error) {
	resp, err := s.get(ctx, "profile-cache:"+user)
	if err != nil {
		fresh, err := origin(ctx, user)
		if err != nil {
			return settings{}, err
		}
		return fresh, s.put(ctx, "profile-cache:"+user, fresh)
	}
	defer resp.Body.Close()
	var st settings
	return st, json.NewDecoder(resp.Body).Decode(&st)
}

// Quiet: only a 404 is a missing key.
func (s *store) unsubscribe(ctx context.Context, user, channel string) error {
	var st settings
	resp, err := s.get(ctx, "settings:"+user)
	var apiErr *cloudflare.Error
	switch {
	case errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound:
	case err != nil:
		return err
	default:
		body, _ := io.ReadAll(resp.Body)
		json.Unmarshal(body, &st)
	}
	st.Channels = append(st.Channels, "!"+channel)
	return s.put(ctx, "settings:"+user, st)
}

// Quiet: a failed read is returned.
func (s *store) rename(ctx context.Context, user, name string) error {
	resp, err := s.get(ctx, "profile:"+user)
	if err != nil {
		return err
	}
	var p map[string]string
	body, _ := io.ReadAll(resp.Body)
	json.Unmarshal(body, &p)
	p["name"] = name
	return s.put(ctx, "profile:"+user, p)
}

// defaultSettings are a new user's.
func defaultSettings(user string) settings {
	return settings{Channels: []string{"news", "user:" + user}}
}

// The same, with the default made by a function of this package.
func (s *store) preferences(ctx context.Context, user string) (settings, error) {
	resp, err := s.get(ctx, "prefs:"+user) // want `every error of this get is taken for a missing key`
	if err != nil {
		return defaultSettings(user), s.put(ctx, "prefs:"+user, defaultSettings(user))
	}
	defer resp.Body.Close()
	var st settings
	return st, json.NewDecoder(resp.Body).Decode(&st)
}

var errNoClinic = errors.New("no such clinic")

func notFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Quiet: a miss cached briefly, written only where the record itself was
// not found: the marker records that read, whatever the cache get said.
func (s *store) resolve(ctx context.Context, slug string) (string, error) {
	if resp, err := s.get(ctx, "resolve:"+slug); err == nil {
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return string(b), err
	}
	resp, err := s.get(ctx, "slug:"+slug)
	if notFound(err) {
		return "", errors.Join(errNoClinic, s.put(ctx, "resolve:"+slug, "-"))
	}
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

// An opening-hours record names its clinic; save keys it by that field.
type hours struct {
	Clinic string              `json:"clinic"`
	Days   map[string][]string `json:"days"`
}

func defaultHours(clinic string) hours {
	return hours{Clinic: clinic, Days: map[string][]string{"mon": {"09:00-17:00"}}}
}

func (s *store) saveHours(ctx context.Context, h hours) error {
	return s.put(ctx, "hours:"+h.Clinic, h)
}

// The record written on the failure is the default for the clinic read:
// the key is the one that failed.
func (s *store) ensureHours(ctx context.Context, clinic string) error {
	resp, err := s.get(ctx, "hours:"+clinic) // want `every error of this get is taken for a missing key`
	if err != nil {
		return s.saveHours(ctx, defaultHours(clinic))
	}
	return resp.Body.Close()
}

// Quiet: on the failure, the default of another clinic is written.
func (s *store) seedFrom(ctx context.Context, clinic, template string) error {
	resp, err := s.get(ctx, "hours:"+clinic)
	if err != nil {
		return s.saveHours(ctx, defaultHours(template))
	}
	return resp.Body.Close()
}

type schedule struct {
	Cron string `json:"cron"`
}

// Every failed request is a *cloudflare.Error, a missing key's and a
// rate limit's alike: matching it tells nothing about the key.
func (s *store) scheduleFor(ctx context.Context, clinic string) (schedule, error) {
	resp, err := s.get(ctx, "schedule:"+clinic) // want `every error of this get is taken for a missing key`
	var apiErr *cloudflare.Error
	if errors.As(err, &apiErr) {
		def := schedule{Cron: "0 6 * * MON"}
		b, _ := json.Marshal(def)
		_, err = s.client.KV.Namespaces.Values.Update(ctx, s.ns, "schedule:"+clinic, kv.NamespaceValueUpdateParams{
			AccountID: cloudflare.F(s.account),
			Value:     cloudflare.F(cfvalue.Text(string(b))),
		})
		return def, err
	}
	if err != nil {
		return schedule{}, err
	}
	defer resp.Body.Close()
	var sc schedule
	return sc, json.NewDecoder(resp.Body).Decode(&sc)
}

// Quiet: the status is read.
func (s *store) scheduleOr404(ctx context.Context, clinic string) (schedule, error) {
	resp, err := s.get(ctx, "schedule:"+clinic)
	var apiErr *cloudflare.Error
	if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
		def := schedule{Cron: "0 6 * * MON"}
		return def, s.put(ctx, "schedule:"+clinic, def)
	}
	if err != nil {
		return schedule{}, err
	}
	defer resp.Body.Close()
	var sc schedule
	return sc, json.NewDecoder(resp.Body).Decode(&sc)
}

type member struct {
	ID    string    `json:"id"`
	Org   string    `json:"org"`
	Since time.Time `json:"since"`
}

// A record created on first use from what the caller gives: a failed read
// of an existing member replaces it.
func (s *store) member(ctx context.Context, id, org string) (member, error) {
	resp, err := s.get(ctx, "member:"+id) // want `every error of this get is taken for a missing key`
	if err != nil {
		m := member{ID: id, Org: org, Since: time.Now()}
		return m, s.put(ctx, "member:"+id, m)
	}
	defer resp.Body.Close()
	var m member
	return m, json.NewDecoder(resp.Body).Decode(&m)
}

func (s *store) sign(id string) string { return s.account + "/" + id }

// Quiet: a value the service computes from its own state, cached.
func (s *store) signedURL(ctx context.Context, id string) (string, error) {
	resp, err := s.get(ctx, "signed:"+id)
	if err != nil {
		u := s.sign(id)
		return u, s.put(ctx, "signed:"+id, u)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

// A 404 comes back as an error: the response of a get with no error
// never has that status.
func (s *store) runs(ctx context.Context, job string) ([]string, error) {
	res, err := s.get(ctx, "runs:"+job)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusNotFound { // want `this miss check is never true: cloudflare-go returns a 404 as an error`
		return nil, nil
	}
	var out []string
	return out, json.NewDecoder(res.Body).Decode(&out)
}

// The same test joined to the error's: where there is no error, the
// status is never 404.
func (s *store) lastRun(ctx context.Context, job string) (string, error) {
	res, err := s.get(ctx, "last:"+job)
	if err == nil && res.StatusCode == http.StatusNotFound { // want `this miss check is never true: cloudflare-go returns a 404 as an error`
		return "", nil
	}
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return string(b), err
}

// Nor is the response of a get with no error ever nil.
func (s *store) runsOrNil(ctx context.Context, job string) ([]string, error) {
	res, err := s.get(ctx, "runs:"+job)
	if err != nil {
		return nil, err
	}
	if res == nil { // want `this miss check is never true: cloudflare-go returns a missing key as an error`
		return nil, nil
	}
	defer res.Body.Close()
	var out []string
	return out, json.NewDecoder(res.Body).Decode(&out)
}

// Quiet: the status of the response that comes with the error, looked at
// before the error is returned.
func (s *store) runsOrNone(ctx context.Context, job string) ([]string, error) {
	res, err := s.client.KV.Namespaces.Values.Get(ctx, s.ns, "runs:"+job, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.account)})
	if res != nil && res.StatusCode == http.StatusNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var out []string
	return out, json.NewDecoder(res.Body).Decode(&out)
}

// getBytes hands a missing key back as the SDK's error, wrapped.
func (s *store) getBytes(ctx context.Context, key string) ([]byte, error) {
	resp, err := s.client.KV.Namespaces.Values.Get(ctx, s.ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.account)})
	if err != nil {
		return nil, fmt.Errorf("kv get %s: %w", key, err)
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// getOrNil hands a missing key back as no bytes and no error.
func (s *store) getOrNil(ctx context.Context, key string) ([]byte, error) {
	resp, err := s.client.KV.Namespaces.Values.Get(ctx, s.ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.account)})
	var apiErr *cloudflare.Error
	if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// A miss comes back as an error, returned above: an empty value is no miss.
func (s *store) orderStatus(ctx context.Context, id string) (string, error) {
	raw, err := s.getBytes(ctx, "order:"+id)
	if err != nil {
		return "", err
	}
	if len(raw) == 0 { // want `this miss check is never true for a missing key: the get reports a missing key as an error`
		return "none", nil
	}
	return string(raw), nil
}

// Quiet: the wrapper turns a miss into no bytes.
func (s *store) invoiceStatus(ctx context.Context, id string) (string, error) {
	raw, err := s.getOrNil(ctx, "invoice:"+id)
	if err != nil {
		return "", err
	}
	if raw == nil {
		return "none", nil
	}
	return string(raw), nil
}

// loadPrefs answers every failure of its read, not only a missing key,
// with empty settings and no error.
func (s *store) loadPrefs(ctx context.Context, key string) (settings, error) {
	var out settings
	resp, err := s.get(ctx, key) // want `every error of this get is taken for a missing key, and the write at line 409`
	if err != nil {
		return out, nil
	}
	defer resp.Body.Close()
	return out, json.NewDecoder(resp.Body).Decode(&out)
}

// A caller changes what the loader returned and writes it back: after a
// timeout, the empty settings plus one channel replace the stored ones.
func (s *store) mute(ctx context.Context, user, channel string) error {
	key := "prefs:" + user
	p, err := s.loadPrefs(ctx, key)
	if err != nil {
		return err
	}
	p.Channels = append(p.Channels, "muted:"+channel)
	return s.put(ctx, key, p)
}

// Quiet: a caller that only reads.
func (s *store) channelsOf(ctx context.Context, user string) ([]string, error) {
	p, err := s.loadPrefs(ctx, "prefs:"+user)
	return p.Channels, err
}

// loadPrefsOrEmpty tells a missing key apart from other failures.
func (s *store) loadPrefsOrEmpty(ctx context.Context, key string) (settings, error) {
	var out settings
	resp, err := s.get(ctx, key)
	if notFound(err) {
		return out, nil
	}
	if err != nil {
		return out, err
	}
	defer resp.Body.Close()
	return out, json.NewDecoder(resp.Body).Decode(&out)
}

// Quiet: the loader returns every failure but a miss.
func (s *store) unmute(ctx context.Context, user, channel string) error {
	key := "prefs:" + user
	p, err := s.loadPrefsOrEmpty(ctx, key)
	if err != nil {
		return err
	}
	p.Channels = append(p.Channels, "unmuted:"+channel)
	return s.put(ctx, key, p)
}

// Typed is a generic view of the store whose loader has no error to give.
type Typed[T any] struct{ s *store }

func (t Typed[T]) Load(ctx context.Context, key string) (T, error) {
	var v T
	resp, err := t.s.get(ctx, key)
	if err != nil {
		return v, err
	}
	defer resp.Body.Close()
	return v, json.NewDecoder(resp.Body).Decode(&v)
}

// LoadOrZero hands back the zero value for any failure.
func (t Typed[T]) LoadOrZero(ctx context.Context, key string) T {
	v, err := t.Load(ctx, key)
	if err != nil {
		var zero T
		return zero
	}
	return v
}

// LoadOrDefault tells a miss apart and panics on the rest.
func (t Typed[T]) LoadOrDefault(ctx context.Context, key string, def T) T {
	v, err := t.Load(ctx, key)
	if notFound(err) {
		return def
	}
	if err != nil {
		panic(err)
	}
	return v
}

// After a timeout the zero settings plus one channel replace the stored ones.
func follow(ctx context.Context, t Typed[settings], user, channel string) error {
	cur := t.LoadOrZero(ctx, "prefs:"+user) // want `every error of this get is taken for a missing key, and the write at line \d+`
	if cur.Channels == nil {
		cur = settings{Channels: []string{"news"}}
	}
	cur.Channels = append(cur.Channels, channel)
	return t.s.put(ctx, "prefs:"+user, cur)
}

// Quiet: the zero value is only shown, and the other loader tells a miss
// from a failure.
func show(ctx context.Context, t Typed[settings], user string) []string {
	return t.LoadOrZero(ctx, "prefs:"+user).Channels
}

func followChecked(ctx context.Context, t Typed[settings], user, channel string) error {
	cur := t.LoadOrDefault(ctx, "prefs:"+user, settings{})
	cur.Channels = append(cur.Channels, channel)
	return t.s.put(ctx, "prefs:"+user, cur)
}

// Quiet for kvnull: a count that starts from zero after any failure is
// kvcounter's finding at the write.
func (s *store) bump(ctx context.Context, page string) error {
	n := 0
	if resp, err := s.get(ctx, "views:"+page); err == nil {
		b, _ := io.ReadAll(resp.Body)
		n, _ = strconv.Atoi(string(b))
	}
	return s.put(ctx, "views:"+page, strconv.Itoa(n+1))
}

// Quiet for kvnull: a count kept in a record, started from zero after
// any failure, is kvcounter's finding at the write too.
func (s *store) contend(ctx context.Context, env string) error {
	var st struct {
		Attempts int       `json:"attempts"`
		Last     time.Time `json:"last"`
	}
	if resp, err := s.get(ctx, "contention:"+env); err == nil {
		json.NewDecoder(resp.Body).Decode(&st)
	}
	st.Attempts++
	st.Last = time.Now()
	return s.put(ctx, "contention:"+env, st)
}

// A record of data that keeps a count too: any failure of the read
// starts a new record, whose write replaces the booking and status stored
// (the count is kvcounter's finding at the write; the lost record this).
func (s *store) refund(ctx context.Context, booking string, cents int64) error {
	var d struct {
		Booking  string `json:"booking"`
		Status   string `json:"status"`
		Refunded int64  `json:"refunded"`
	}
	resp, err := s.get(ctx, "deposit:"+booking) // want `every error of this get is taken for a missing key`
	if err != nil {
		d.Booking, d.Status = booking, "refund_pending"
	} else {
		defer resp.Body.Close()
		if err := json.NewDecoder(resp.Body).Decode(&d); err != nil {
			return err
		}
	}
	d.Refunded += cents
	return s.put(ctx, "deposit:"+booking, d)
}

// Quiet: the cursor read only chooses where the walk starts; after any
// failure it starts again from the beginning, and what is written is the
// listing's next cursor.
func (s *store) sweep(ctx context.Context) error {
	cursor := ""
	if resp, err := s.get(ctx, "sweep:cursor"); err == nil {
		b, _ := io.ReadAll(resp.Body)
		cursor = string(b)
	}
	page, err := s.client.KV.Namespaces.Keys.List(ctx, s.ns, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.account),
		Cursor:    cloudflare.F(cursor),
		Limit:     cloudflare.F(100.0),
	})
	if err != nil {
		return err
	}
	return s.put(ctx, "sweep:cursor", page.ResultInfo.Cursor)
}

func (s *store) value(ctx context.Context, key string) ([]byte, error) {
	resp, err := s.get(ctx, key)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// A setting that a not-found lets through reads as 0 minutes.
func (s *store) dwell(ctx context.Context, site string) (time.Duration, error) {
	v, err := s.value(ctx, "dock:"+site+":dwell") // want `a missing key reaches this value's parse, whose error is dropped`
	if err != nil && !notFound(err) {
		return 0, err
	}
	minutes, _ := strconv.Atoi(string(v))
	return time.Duration(minutes) * time.Minute, nil
}

// Quiet: every failure, a miss too, returns before the parse.
func (s *store) dwellOrFail(ctx context.Context, site string) (time.Duration, error) {
	v, err := s.value(ctx, "dock:"+site+":dwell")
	if err != nil {
		return 0, err
	}
	minutes, _ := strconv.Atoi(string(v))
	return time.Duration(minutes) * time.Minute, nil
}

// Quiet: a count that is missing is zero.
func (s *store) hits(ctx context.Context, page string) (int, error) {
	v, err := s.value(ctx, "hits:"+page)
	if err != nil && !notFound(err) {
		return 0, err
	}
	n, _ := strconv.Atoi(string(v))
	return n, nil
}

// The response checked instead of the error: a 404 comes with a response,
// whose body, the API's error, is decoded as the settings.
func (s *store) loadByResponse(ctx context.Context, user string) (settings, error) {
	resp, err := s.client.KV.Namespaces.Values.Get(ctx, s.ns, "settings:"+user, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.account)}) // want `the error of this get is looked at only when the response is nil`
	if resp == nil {
		return settings{}, err
	}
	defer resp.Body.Close()
	var st settings
	return st, json.NewDecoder(resp.Body).Decode(&st)
}

// A count stored as eight bytes, read where a missing key is let
// through: binary's reader panics on the empty value.
func (s *store) stock(ctx context.Context, item string) (uint64, error) {
	b, err := s.getBytes(ctx, "stock:"+item) // want `encoding/binary's fixed-width readers panic`
	if err != nil && !notFound(err) {
		return 0, err
	}
	return binary.BigEndian.Uint64(b), nil
}

// A record decoded where a missing key is let through: every miss fails
// as corrupt data.
func (s *store) badge(ctx context.Context, user string) (settings, error) {
	b, err := s.getBytes(ctx, "badge:"+user) // want `then the empty value fails to decode and that error is handed on`
	if err != nil && !notFound(err) {
		return settings{}, err
	}
	var out settings
	if err := json.Unmarshal(b, &out); err != nil {
		return settings{}, fmt.Errorf("badge %s: %w", user, err)
	}
	return out, nil
}

// Quiet: the empty value is looked for, and a miss returns above.
func (s *store) stockOrZero(ctx context.Context, item string) (uint64, error) {
	b, err := s.getBytes(ctx, "stock:"+item)
	if err != nil && !notFound(err) {
		return 0, err
	}
	if len(b) < 8 {
		return 0, nil
	}
	return binary.BigEndian.Uint64(b), nil
}

func (s *store) stockOrFail(ctx context.Context, item string) (uint64, error) {
	b, err := s.getBytes(ctx, "stock:"+item)
	if err != nil {
		return 0, err
	}
	return binary.BigEndian.Uint64(b), nil
}

// Quiet: decoded only where the get succeeded.
func (s *store) stockIfAny(ctx context.Context, item string) (uint64, error) {
	b, err := s.getBytes(ctx, "stock:"+item)
	if err != nil && !notFound(err) {
		return 0, err
	}
	var n uint64
	if err == nil {
		n = binary.BigEndian.Uint64(b)
	}
	return n, nil
}

func bodyOf(res *http.Response) ([]byte, error) {
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// The not-found is let through, and the 404 response of the miss, whose
// body is the API's JSON error, is read as the value.
func (s *store) season(ctx context.Context) (string, error) {
	res, err := s.get(ctx, "season/current") // want `so a miss reads that JSON as the value`
	if err != nil && !notFound(err) {
		return "", err
	}
	b, err := bodyOf(res)
	return string(b), err
}

// Quiet: the response is read only where the get succeeded.
func (s *store) seasonOr(ctx context.Context, def string) (string, error) {
	res, err := s.get(ctx, "season/current")
	if notFound(err) {
		return def, nil
	}
	if err != nil {
		return "", err
	}
	b, err := bodyOf(res)
	return string(b), err
}

var errNoSession = errors.New("no session")

// The response's body, read whole, tested for emptiness where the get
// returned no error: cloudflare-go answers a miss with a 404 error, which
// is returned above as a failure.
func (s *store) session(ctx context.Context, id string) (map[string]string, error) {
	res, err := s.client.KV.Namespaces.Values.Get(ctx, s.ns, "session:"+id, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.account)})
	if err != nil {
		return nil, fmt.Errorf("session lookup: %w", err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	if len(body) == 0 { // want `this miss check is never true for a missing key: the get reports a missing key as an error`
		return nil, errNoSession
	}
	var sess map[string]string
	return sess, json.Unmarshal(body, &sess)
}

// Quiet: the not-found error is told apart, and an empty body is a value
// written empty.
func (s *store) sessionOrNone(ctx context.Context, id string) (map[string]string, error) {
	res, err := s.client.KV.Namespaces.Values.Get(ctx, s.ns, "session:"+id, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.account)})
	var apiErr *cloudflare.Error
	if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
		return nil, errNoSession
	}
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	if len(body) == 0 {
		return nil, errNoSession
	}
	var sess map[string]string
	return sess, json.Unmarshal(body, &sess)
}

// exists answers every failure as "not there".
func (s *store) exists(ctx context.Context, key string) bool {
	resp, err := s.get(ctx, key) // want `every error of this get is taken for a missing key`
	if err != nil {
		return false
	}
	resp.Body.Close()
	return true
}

// A default written where exists said missing: after a timeout it
// replaces the stored settings.
func (s *store) ensureSettings(ctx context.Context, user, channel string) error {
	if s.exists(ctx, "settings:"+user) {
		return nil
	}
	return s.put(ctx, "settings:"+user, settings{Channels: []string{channel}})
}

// Quiet: a value loaded from elsewhere on a miss is a cache fill.
func (s *store) cachedSettings(ctx context.Context, user string, load func(string) settings) error {
	if s.exists(ctx, "cached:"+user) {
		return nil
	}
	return s.put(ctx, "cached:"+user, load(user))
}

// Any failure of the read, a timeout too, is taken for a fresh
// environment, and the default of another package replaces the season.
func (s *store) initSeason(ctx context.Context) error {
	if _, err := s.get(ctx, "season:current"); err == nil { // want `every error of this get is taken for a missing key`
		return nil
	}
	return s.put(ctx, "season:current", seasons.Fallback())
}

// Quiet: what is written on the failure is loaded from elsewhere, a
// fill that loses nothing.
func (s *store) mirrorSeason(ctx context.Context) error {
	if _, err := s.get(ctx, "season:mirror"); err == nil {
		return nil
	}
	cfg, err := seasons.Published()
	if err != nil {
		return err
	}
	return s.put(ctx, "season:mirror", cfg)
}

// Quiet: the not-found is told apart on the error's way; the status test
// after it is a second guard that never fires, and loses nothing.
func (s *store) runsGuarded(ctx context.Context, job string) ([]string, error) {
	res, err := s.get(ctx, "runs:"+job)
	if err != nil {
		if notFound(err) {
			return nil, nil
		}
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusNotFound {
		return nil, nil
	}
	var out []string
	return out, json.NewDecoder(res.Body).Decode(&out)
}

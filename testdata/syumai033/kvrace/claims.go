package kvrace

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// A generic repository whose Save keys each record by its own Key().
type kvDocs struct{ ns *kv.Namespace }

var errNoDoc = errors.New("no such document")

func (s *kvDocs) Get(key string) ([]byte, error) {
	v, err := s.ns.GetString(key, nil)
	if err != nil {
		return nil, err
	}
	if v == "<null>" {
		return nil, errNoDoc
	}
	return []byte(v), nil
}

func (s *kvDocs) Put(key string, value []byte) error {
	return s.ns.PutString(key, string(value), nil)
}

func getDoc[T any](rd *kvDocs, key string) (T, error) {
	var v T
	raw, err := rd.Get(key)
	if err != nil {
		return v, err
	}
	return v, json.Unmarshal(raw, &v)
}

type docs[T keyer] struct {
	st     *kvDocs
	prefix string
}

func (d *docs[T]) Get(id string) (T, error) { return getDoc[T](d.st, d.prefix+id) }

func (d *docs[T]) Save(v T) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return d.st.Put(d.prefix+v.Key(), b)
}

type handle struct {
	Name  string
	Owner string
}

func (h handle) Key() string { return h.Name }

func newHandle(name, owner string) handle { return handle{Name: name, Owner: owner} }

var errHandleTaken = errors.New("handle taken")

// The record saved is built here from the name that was checked: its key
// is the checked key.
func claimHandle(handles *docs[handle], name, owner string) error {
	if _, err := handles.Get(name); err == nil {
		return errHandleTaken
	} else if !errors.Is(err, errNoDoc) {
		return err
	}
	return handles.Save(handle{Name: name, Owner: owner}) // want `check-then-create on one KV key`
}

// The same, with the record made by a constructor of the package.
func claimHandleByConstructor(handles *docs[handle], name, owner string) error {
	if _, err := handles.Get(name); err == nil {
		return errHandleTaken
	}
	h := newHandle(name, owner)
	return handles.Save(h) // want `check-then-create on one KV key`
}

// Quiet: the record saved is keyed by another name than the one checked.
func claimAlias(handles *docs[handle], name, alias, owner string) error {
	if _, err := handles.Get(name); err == nil {
		return errHandleTaken
	}
	return handles.Save(handle{Name: alias, Owner: owner})
}

// Quiet: a record whose key field is set twice is not known to be the
// checked one.
func claimRenamed(handles *docs[handle], name, owner string) error {
	if _, err := handles.Get(name); err == nil {
		return errHandleTaken
	}
	h := handle{Name: name, Owner: owner}
	h.Name = owner + "-" + name
	return handles.Save(h)
}

type codec[T any] interface {
	Encode(v T) ([]byte, error)
}

type jsonCodec[T any] struct{}

func (jsonCodec[T]) Encode(v T) ([]byte, error) { return json.Marshal(v) }

// ids keeps records by an id its callers give, encoded by a codec.
type ids[T any] struct {
	ns     *kv.Namespace
	prefix string
	codec  codec[T]
}

func (r *ids[T]) Get(id string) (T, error) { return getDoc[T](&kvDocs{r.ns}, r.prefix+id) }

func (r *ids[T]) Put(id string, v T) error {
	b, err := r.codec.Encode(v)
	if err != nil {
		return err
	}
	return r.ns.PutString(r.prefix+id, string(b), nil)
}

type ticket struct {
	Code  string
	Owner string
}

func newCode() string { return strconv.FormatInt(time.Now().UnixNano(), 36) }

// Quiet: the ticket read is stored again under a new code, set here: a
// new record, not the old one written back.
func reissue(tickets *ids[ticket], old string) error {
	t, err := tickets.Get(old)
	if err != nil {
		return err
	}
	t.Code = newCode()
	return tickets.Put(t.Code, t)
}

// A lock taken by check-then-create, whose refusal names the holder.
type lockedError struct{ name, holder string }

func (e *lockedError) Error() string { return e.name + " is held by " + e.holder }

func acquireLock(s *kvDocs, name, me string) error {
	holder, err := s.Get("lock:" + name)
	if err == nil {
		return &lockedError{name: name, holder: string(holder)}
	}
	if !errors.Is(err, errNoDoc) {
		return err
	}
	return s.Put("lock:"+name, []byte(me)) // want `check-then-create on one KV key`
}

var errSlugTaken = errors.New("slug taken")

// A claim that lets its owner claim again: refused only when the key is
// there and holds another owner's id.
func claimSlug(ns *kv.Namespace, slug, farmID string) error {
	owner, err := ns.GetString("slug:"+slug, nil)
	if err != nil {
		return err
	}
	if owner != "<null>" && owner != farmID {
		return errSlugTaken
	}
	return ns.PutString("slug:"+slug, farmID, nil) // want `check-then-create on one KV key`
}

// Quiet: a value compared with "" may be a dedupe marker's.
func markSeen(ns *kv.Namespace, event, consumer string) error {
	seen, err := ns.GetString("seen:"+event, nil)
	if err != nil {
		return err
	}
	if seen != "" && seen != consumer {
		return errSlugTaken
	}
	return ns.PutString("seen:"+event, consumer, nil)
}

// lookup says whether key is there, and what it holds.
func lookup(ns *kv.Namespace, key string) (string, bool, error) {
	v, err := ns.GetString(key, nil)
	return v, v != "<null>", err
}

var errRunning = errors.New("sync running")

// Quiet: a found flag that refuses, naming the holder, then a lease until
// a time taken from the clock: a cooldown, not a claim.
func leaseSync(ns *kv.Namespace, host string) error {
	holder, held, err := lookup(ns, "sync:lease")
	if err != nil {
		return err
	}
	if held {
		return fmt.Errorf("%w (held by %s)", errRunning, holder)
	}
	return ns.PutString("sync:lease", host, &kv.PutOptions{Expiration: int(time.Now().Add(5 * time.Minute).Unix())})
}

// writeProblem answers a request with an error, as a handler's helper.
func writeProblem(w http.ResponseWriter, err error) {
	http.Error(w, err.Error(), http.StatusConflict)
}

// A handler that refuses through a helper of its own, then claims.
func claimHandleHTTP(handles *docs[handle], w http.ResponseWriter, r *http.Request) {
	name, owner := r.PathValue("name"), r.Header.Get("X-Owner")
	if _, err := handles.Get(name); err == nil {
		writeProblem(w, errHandleTaken)
		return
	} else if !errors.Is(err, errNoDoc) {
		writeProblem(w, err)
		return
	}
	if err := handles.Save(handle{Name: name, Owner: owner}); err != nil { // want `check-then-create on one KV key`
		writeProblem(w, err)
	}
}

// Quiet: a handler that shows what is there, and creates it when missing,
// logs no error when it is found.
func showOrCreate(handles *docs[handle], w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if _, err := handles.Get(name); err == nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	_ = handles.Save(handle{Name: name, Owner: "nobody"})
}

// An edit lock with a lifetime that lets its own holder through: a lock,
// not a cooldown, though it expires.
func lockMenu(ns *kv.Namespace, menu, editor string) error {
	holder, err := ns.GetString("lock:"+menu, nil)
	if err != nil {
		return err
	}
	if holder != "<null>" && holder != editor {
		return errSlugTaken
	}
	return ns.PutString("lock:"+menu, editor, &kv.PutOptions{ExpirationTTL: 300}) // want `check-then-create on one KV key`
}

// isMissing tells syumai's rendering of a missing key.
func isMissing(v string) bool { return v == "<null>" }

// A vanity slug claimed after a look for "<null>" by a helper: two
// requests both find it free.
func claimVanity(ns *kv.Namespace, slug, eventID string) error {
	cur, err := ns.GetString("slug:"+slug, nil)
	if err != nil {
		return err
	}
	if !isMissing(cur) {
		return errors.New("slug taken")
	}
	return ns.PutString("slug:"+slug, eventID, nil) // want `check-then-create on one KV key`
}

// A pickup code drawn here and claimed after comparing with "<null>"
// itself: two orders can draw the same code.
func claimPickup(ns *kv.Namespace, orderID string) error {
	code := strconv.Itoa(rand.IntN(10000))
	existing, err := ns.GetString("pickup:"+code, nil)
	if err != nil {
		return err
	}
	if existing != "<null>" {
		return errors.New("code in use")
	}
	return ns.PutString("pickup:"+code, orderID, &kv.PutOptions{ExpirationTTL: 86400}) // want `check-then-create on one KV key`
}

// Quiet: seeded when missing, and left alone when there.
func seedTheme(ns *kv.Namespace, user string) error {
	cur, err := ns.GetString("theme:"+user, nil)
	if err != nil || !isMissing(cur) {
		return err
	}
	return ns.PutString("theme:"+user, "light", nil)
}

// A checkout lock taken after a found flag refuses, with a lifetime: two
// requests both find it free and both check out.
func lockCheckout(ns *kv.Namespace, cart, buyer string) error {
	if _, held, err := lookup(ns, "lock:checkout:"+cart); err != nil {
		return err
	} else if held {
		return errRunning
	}
	return ns.PutString("lock:checkout:"+cart, buyer, &kv.PutOptions{ExpirationTTL: 120}) // want `check-then-create on one KV key`
}

type answer struct {
	Player string
	Choice int
}

// One answer per player and round, kept for hours: a record that expires
// is still claimed by whoever writes it first, not a cooldown.
func submitAnswer(ns *kv.Namespace, round, player string, choice int) error {
	key := "answer:" + round + ":" + player
	if _, found, err := lookup(ns, key); err != nil {
		return err
	} else if found {
		return errors.New("already answered")
	}
	b, _ := json.Marshal(answer{Player: player, Choice: choice})
	return ns.PutString(key, string(b), &kv.PutOptions{ExpirationTTL: 6 * 3600}) // want `check-then-create on one KV key`
}

// Quiet: a delivery's dedupe stamp, kept a day while the sender retries.
func seenDelivery(ns *kv.Namespace, id string) (bool, error) {
	key := "delivery:" + id
	if _, found, err := lookup(ns, key); err != nil || found {
		return false, err
	}
	return true, ns.PutString(key, strconv.FormatInt(time.Now().Unix(), 10), &kv.PutOptions{ExpirationTTL: 86400})
}

// Quiet: a cooldown, the player's choice remembered for ten minutes.
func throttleVotes(ns *kv.Namespace, player string, choice int) error {
	key := "voted-recently:" + player
	if _, found, err := lookup(ns, key); err != nil {
		return err
	} else if found {
		return errors.New("slow down")
	}
	return ns.PutString(key, strconv.Itoa(choice), &kv.PutOptions{ExpirationTTL: 600})
}

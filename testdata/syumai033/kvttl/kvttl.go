// Package kvttl holds kvttl's cases for github.com/syumai/workers v0.33
// (package cloudflare/kv, and the aliases left in package cloudflare).
package kvttl

import (
	"os"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"
)

const shortTTL = 45

var ns, _ = kv.NewNamespace("CACHE")

// KV rejects an expirationTtl under 60 s with HTTP 400.
func literalTTL(key, v string) error {
	return ns.PutString(key, v, &kv.PutOptions{ExpirationTTL: 30}) // want `ExpirationTTL 30 is below KV's 60-second minimum`
}

func minimumTTL(key, v string) error {
	return ns.PutString(key, v, &kv.PutOptions{ExpirationTTL: 60})
}

func namedConstant(key, v string) error {
	return ns.PutString(key, v, &kv.PutOptions{ExpirationTTL: shortTTL}) // want `ExpirationTTL 45 is below`
}

func constantExpression(key, v string) error {
	return ns.PutString(key, v, &kv.PutOptions{ExpirationTTL: 2 * 15}) // want `ExpirationTTL 30 is below`
}

func zeroMeansNoExpiry(key, v string) error {
	return ns.PutString(key, v, &kv.PutOptions{ExpirationTTL: 0})
}

// Options built apart from the call, filled field by field.
func builtEarlier(key, v string) error {
	opts := &kv.PutOptions{}
	opts.ExpirationTTL = 10 // want `ExpirationTTL 10 is below`
	return ns.PutString(key, v, opts)
}

func valueStruct(key string, r *os.File) error {
	var opts kv.PutOptions
	opts.ExpirationTTL = 59 // want `ExpirationTTL 59 is below`
	return ns.PutReader(key, r, &opts)
}

func localVariable(key, v string) error {
	ttl := 20
	return ns.PutString(key, v, &kv.PutOptions{ExpirationTTL: ttl}) // want `ExpirationTTL 20 is below`
}

func oneBranchTooShort(key, v string, flash bool) error {
	ttl := 3600
	if flash {
		ttl = 5
	}
	return ns.PutString(key, v, &kv.PutOptions{ExpirationTTL: ttl}) // want `ExpirationTTL 5 is below`
}

// A clamp makes any run-time value acceptable.
func clamped(key, v string, ttl int) error {
	if ttl < 60 {
		ttl = 60
	}
	return ns.PutString(key, v, &kv.PutOptions{ExpirationTTL: ttl})
}

// Values known only at run time stay quiet.
func fromEnvironment(key, v string) error {
	ttl, _ := strconv.Atoi(os.Getenv("CACHE_TTL"))
	return ns.PutString(key, v, &kv.PutOptions{ExpirationTTL: ttl})
}

func optionsHelper(ttl int) *kv.PutOptions {
	return &kv.PutOptions{ExpirationTTL: ttl}
}

func shortOptions() *kv.PutOptions {
	return &kv.PutOptions{ExpirationTTL: 15} // want `ExpirationTTL 15 is below`
}

func throughHelper(key, v string) error {
	return ns.PutString(key, v, shortOptions())
}

func throughParameterizedHelper(key, v string, ttl int) error {
	return ns.PutString(key, v, optionsHelper(ttl))
}

// Unit mistakes: a time.Duration is nanoseconds.
func durationConverted(key, v string) error {
	return ns.PutString(key, v, &kv.PutOptions{ExpirationTTL: int(10 * time.Minute)}) // want `converts a time.Duration to nanoseconds`
}

// Converted to seconds, 30ms is 0, a TTL never set: no fix is offered.
func durationBelowASecond(key, v string) error {
	return ns.PutString(key, v, &kv.PutOptions{ExpirationTTL: int(30 * time.Millisecond)}) // want `converts a time.Duration to nanoseconds`
}

// 45 seconds converted is still below KV's minimum: no fix either.
func durationBelowTheMinimum(key, v string) error {
	return ns.PutString(key, v, &kv.PutOptions{ExpirationTTL: int(45 * time.Second)}) // want `converts a time.Duration to nanoseconds`
}

func durationVariable(key, v string, ttl time.Duration) error {
	return ns.PutString(key, v, &kv.PutOptions{ExpirationTTL: int(ttl)}) // want `converts a time.Duration to nanoseconds`
}

func durationMilliseconds(key, v string, ttl time.Duration) error {
	return ns.PutString(key, v, &kv.PutOptions{ExpirationTTL: int(ttl.Milliseconds())}) // want `converts a time.Duration to milliseconds`
}

func durationSeconds(key, v string, ttl time.Duration) error {
	return ns.PutString(key, v, &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
}

func durationCountOfSeconds(key, v string) error {
	return ns.PutString(key, v, &kv.PutOptions{ExpirationTTL: int(time.Hour / time.Second)})
}

func durationSecondsTooShort(key, v string) error {
	ttl := 30 * time.Second
	return ns.PutString(key, v, &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())}) // want `ExpirationTTL 30 is below`
}

// Absolute expirations are seconds since the epoch, at least 60 s ahead.
func expiresSoon(key, v string) error {
	return ns.PutString(key, v, &kv.PutOptions{Expiration: int(time.Now().Add(30 * time.Second).Unix())}) // want `Expiration is time.Now\(\) plus 30s, less than KV's 60-second minimum`
}

func expiresLater(key, v string) error {
	return ns.PutString(key, v, &kv.PutOptions{Expiration: int(time.Now().Add(time.Hour).Unix())})
}

func expiresPlusSeconds(key, v string) error {
	return ns.PutString(key, v, &kv.PutOptions{Expiration: int(time.Now().Unix() + 10)}) // want `Expiration is time.Now\(\) plus 10s`
}

func expiresPlusEnoughSeconds(key, v string) error {
	return ns.PutString(key, v, &kv.PutOptions{Expiration: int(time.Now().Unix() + 3600)})
}

func expiresInMilliseconds(key, v string) error {
	return ns.PutString(key, v, &kv.PutOptions{Expiration: int(time.Now().Add(time.Hour).UnixMilli())}) // want `Expiration is in seconds since the Unix epoch, but this is a Unix time in ms`
}

func expiresTimesThousand(key, v string) error {
	return ns.PutString(key, v, &kv.PutOptions{Expiration: int(time.Now().Unix() * 1000)}) // want `a Unix time in ms`
}

func expiresNanosecondsInMilliseconds(key, v string) error {
	return ns.PutString(key, v, &kv.PutOptions{Expiration: int(time.Now().Add(time.Hour).UnixNano() / 1e6)}) // want `a Unix time in ms`
}

func expiresNanosecondsInSeconds(key, v string) error {
	return ns.PutString(key, v, &kv.PutOptions{Expiration: int(time.Now().Add(time.Hour).UnixNano() / int64(time.Second))})
}

func expiresAtMinuteBucket(key, v string) error {
	return ns.PutString(key, v, &kv.PutOptions{Expiration: int((time.Now().Unix()/60 + 60) * 60)})
}

func expiresInThePast(key, v string) error {
	return ns.PutString(key, v, &kv.PutOptions{Expiration: 1600000000}) // want `Expiration 1600000000 is 2020-09-13, in the past`
}

func expirationMistakenForTTL(key, v string) error {
	return ns.PutString(key, v, &kv.PutOptions{Expiration: 3600}) // want `in the past.*set ExpirationTTL`
}

func expiresAtRuntime(key, v string, at time.Time) error {
	return ns.PutString(key, v, &kv.PutOptions{Expiration: int(at.Unix())})
}

func timestampAsTTL(key, v string) error {
	return ns.PutString(key, v, &kv.PutOptions{ExpirationTTL: int(time.Now().Add(time.Hour).Unix())}) // want `this is an absolute Unix time`
}

// CacheTTL below the runtime's 30-second minimum fails the get.
func cacheTooShort(key string) (string, error) {
	return ns.GetString(key, &kv.GetOptions{CacheTTL: 10}) // want `CacheTTL 10 is below the runtime's 30-second minimum`
}

func cacheLongEnough(key string) (string, error) {
	return ns.GetString(key, &kv.GetOptions{CacheTTL: 300})
}

// The deprecated aliases in package cloudflare are the same types.
func aliases(key, v string) error {
	old, _ := cloudflare.NewKVNamespace("OLD")
	return old.PutString(key, v, &cloudflare.KVNamespacePutOptions{ExpirationTTL: 1}) // want `ExpirationTTL 1 is below`
}

// Suppression needs a reason.
func silenced(key, v string) error {
	//kvlint:ignore kvttl the test namespace runs on a mock that accepts it
	return ns.PutString(key, v, &kv.PutOptions{ExpirationTTL: 30})
}

func silencedNolint(key, v string) error {
	return ns.PutString(key, v, &kv.PutOptions{ExpirationTTL: 30}) //nolint:kvttl
}

//kvlint:ignore kvttl nothing here to silence // want `silences no kvttl finding`
func unusedDirective() {}

func durationMinutes(key, v string, ttl time.Duration) error {
	return ns.PutString(key, v, &kv.PutOptions{ExpirationTTL: int(ttl.Minutes())}) // want `converts a time.Duration to minutes`
}

// A package variable that only its declaration sets is a constant in effect.
var cacheSeconds = 25

func packageVariable(key, v string) error {
	return ns.PutString(key, v, &kv.PutOptions{ExpirationTTL: cacheSeconds}) // want `ExpirationTTL 25 is below`
}

// One that a flag or the program may set is not.
var flagSeconds = 25

func setFlag(n int) { flagSeconds = n }

func flagVariable(key, v string) error {
	return ns.PutString(key, v, &kv.PutOptions{ExpirationTTL: flagSeconds})
}

type invite struct {
	Code      string
	ExpiresAt int64 // for the single-page app, in milliseconds
}

// A millisecond time kept in a field, then used as the expiration.
func inviteExpiry(key string, at time.Time) error {
	var inv invite
	inv.ExpiresAt = at.UnixMilli()
	return ns.PutString(key, inv.Code, &kv.PutOptions{Expiration: int(inv.ExpiresAt)}) // want `Expiration is in seconds since the Unix epoch, but this is a Unix time in ms`
}

// A lifetime computed as the difference of two times falls below a minute
// as the moment nears (countdown.go has more).
func untilExpiry(key string, at time.Time) error {
	return ns.PutString(key, "v", &kv.PutOptions{ExpirationTTL: int(at.Unix() - time.Now().Unix())}) // want `ExpirationTTL is counted down to a moment at run time`
}

// A directive without a reason silences nothing, and says so.
func silencedWithoutReason(key, v string) error {
	// want +1 `kvlint:ignore kvttl needs a reason`
	//kvlint:ignore kvttl
	return ns.PutString(key, v, &kv.PutOptions{ExpirationTTL: 59}) // want `ExpirationTTL 59 is below`
}

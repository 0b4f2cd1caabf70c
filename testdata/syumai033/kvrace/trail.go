package kvrace

import (
	"strconv"
	"strings"

	"github.com/syumai/workers/cloudflare/kv"
)

// A ping handler that counts pings on one key, then appends the fixes to
// the courier's trail on another. The trail's write-back is a race on the
// trail, not a count: the count's put does not fill the namespace that the
// trail is read from.
func recordPings(courier string, fixes []string) {
	ns := couriers()
	if ns == nil {
		return
	}
	seen, _ := ns.GetString("pings:"+courier, nil)
	n, _ := strconv.Atoi(seen)
	_ = ns.PutString("pings:"+courier, strconv.Itoa(n+1), nil)

	var trail strings.Builder
	for _, f := range fixes {
		trail.WriteString(f + "\n")
	}
	old, err := ns.GetString("trail:"+courier, nil)
	if err == nil {
		_ = ns.PutString("trail:"+courier, old+trail.String(), nil) // want `read-modify-write on one KV key`
	}
}

func couriers() *kv.Namespace {
	ns, err := kv.NewNamespace("COURIERS")
	if err != nil {
		return nil
	}
	return ns
}

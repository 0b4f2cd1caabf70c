package kvnull

import (
	"strconv"

	"github.com/syumai/workers/cloudflare/kv"
)

// A count per hour, bumped where its text parses: for a new hour the get
// hands back "<null>", the parse fails, and the count is never created.
func countCheckin(ns *kv.Namespace, fleet, hour string) {
	key := "checkins/" + fleet + "/" + hour
	v, err := ns.GetString(key, nil) // want `which this value's parse rejects, and the way its parse error takes skips the write of the same key at line 21`
	if err != nil {
		return
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return
	}
	_ = ns.PutString(key, strconv.Itoa(n+1), nil)
}

// Quiet: a parse failure starts the count from zero.
func countVisit(ns *kv.Namespace, page string) error {
	v, err := ns.GetString("visits/"+page, nil)
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		n = 0
	}
	return ns.PutString("visits/"+page, strconv.Itoa(n+1), nil)
}

// Quiet: the key is created when the device is registered, and only
// bumped here.
func registerDevice(ns *kv.Namespace, id string) error {
	return ns.PutString("reboots/"+id, "0", nil)
}

func countReboot(ns *kv.Namespace, id string) {
	v, err := ns.GetString("reboots/"+id, nil)
	if err != nil {
		return
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return
	}
	_ = ns.PutString("reboots/"+id, strconv.Itoa(n+1), nil)
}

// Quiet: the miss is looked for.
func countLogin(ns *kv.Namespace, user string) {
	v, err := ns.GetString("logins/"+user, nil)
	if err != nil {
		return
	}
	n := 0
	if v != "<null>" {
		if n, err = strconv.Atoi(v); err != nil {
			return
		}
	}
	_ = ns.PutString("logins/"+user, strconv.Itoa(n+1), nil)
}

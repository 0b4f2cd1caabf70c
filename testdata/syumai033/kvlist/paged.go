package kvlist

import (
	"github.com/syumai/workers/cloudflare/kv"

	"kvlint.test/syumai033/kvlist/pages"
)

// The page adapter's cursor dropped: the keys are one page of 100, used
// as all of a user's sessions.
func signOutOthers(ns *kv.Namespace, user, current string) error { // want signOutOthers:"kvlist"
	names, _, err := pages.Page(ns, "session/"+user+"/", "", 100) // want `only the first page of this list is used`
	if err != nil {
		return err
	}
	for _, name := range names {
		if name != current {
			if err := ns.Delete(name); err != nil {
				return err
			}
		}
	}
	return nil
}

// Quiet: the next cursor handed back to the caller with the page.
func sessionsPage(ns *kv.Namespace, user, cursor string) ([]string, string, error) {
	names, next, err := pages.Page(ns, "session/"+user+"/", cursor, 100)
	if err != nil {
		return nil, "", err
	}
	return names, next, nil
}

// Quiet: a sample of five, to show.
func someSessions(ns *kv.Namespace, user string) ([]string, error) {
	names, _, err := pages.Page(ns, "session/"+user+"/", "", 5)
	return names, err
}

// Quiet: a budgeted drain that sends the keys on a channel; where it
// stopped is not needed.
func migrate(ns *kv.Namespace, prefix string, rewrite func(string)) error {
	keys := make(chan string)
	var err error
	go func() { _, err = pages.Drain(ns, prefix, 10, keys) }()
	for k := range keys {
		rewrite(k)
	}
	return err
}

package kvrace

import (
	"log"
	"time"

	"github.com/syumai/workers/cloudflare"
)

// A cron run that skips quietly while another holds the lock, and stamps
// the lock with the time it took it: still a check-then-create of a lock.
func runReminderScan(binding string) error {
	ns, err := cloudflare.NewKVNamespace(binding)
	if err != nil {
		return err
	}
	holder, _ := ns.GetString("lock:reminder-scan", nil)
	if holder != "<null>" {
		log.Printf("reminder scan already running since %s", holder)
		return nil
	}
	started := time.Now().UTC().Format(time.RFC3339)
	return ns.PutString("lock:reminder-scan", started, &cloudflare.KVNamespacePutOptions{ExpirationTTL: 600}) // want `check-then-create on one KV key`
}

// Quiet: a reminder sent at most once an hour, stamped with the time it
// was sent: a cooldown, not a claim.
func remindOnce(binding, patron string) error {
	ns, err := cloudflare.NewKVNamespace(binding)
	if err != nil {
		return err
	}
	sent, _ := ns.GetString("reminded:"+patron, nil)
	if sent != "<null>" {
		log.Printf("patron %s reminded at %s", patron, sent)
		return nil
	}
	return ns.PutString("reminded:"+patron, time.Now().UTC().Format(time.RFC3339), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 3600})
}

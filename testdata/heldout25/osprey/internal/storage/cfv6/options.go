package cfv6

import (
	"time"

	"github.com/cloudflare/cloudflare-go/v6/option"
)

func optionToken(t string) option.RequestOption { return option.WithAPIToken(t) }

func optionTimeout(d time.Duration) option.RequestOption { return option.WithRequestTimeout(d) }

package clock

import "time"

func resolution() time.Duration { return 100 * time.Nanosecond }

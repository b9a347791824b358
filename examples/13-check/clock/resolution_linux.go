package clock

import "time"

func resolution() time.Duration { return time.Nanosecond }

package loadgen

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"time"
)

// cpuPressureFile is Linux's pressure-stall information for the CPU: the total time, in
// microseconds, during which some runnable task waited for a CPU.
const cpuPressureFile = "/proc/pressure/cpu"

// cpuStall returns the "some" total of a pressure file's content, and whether there was one.
func cpuStall(content []byte) (time.Duration, bool) {
	sc := bufio.NewScanner(bytes.NewReader(content))
	for sc.Scan() {
		f := bytes.Fields(sc.Bytes())
		if len(f) == 0 || string(f[0]) != "some" {
			continue
		}
		for _, kv := range f[1:] {
			if v, ok := bytes.CutPrefix(kv, []byte("total=")); ok {
				us, err := strconv.ParseInt(string(v), 10, 64)
				if err != nil || us < 0 {
					return 0, false
				}
				return time.Duration(us) * time.Microsecond, true
			}
		}
	}
	return 0, false
}

// pressureMeter measures the share of wall time during which some task on the machine waited
// for a CPU: how much the machine's other work (or the bench itself) competed with the server.
type pressureMeter struct {
	stall time.Duration
	at    time.Time
	ok    bool
}

func startPressure(now time.Time) pressureMeter {
	b, err := os.ReadFile(cpuPressureFile)
	if err != nil {
		return pressureMeter{}
	}
	s, ok := cpuStall(b)
	return pressureMeter{stall: s, at: now, ok: ok}
}

// share returns the stalled share of the time since start, or -1 when unknown.
func (p pressureMeter) share(now time.Time) float64 {
	if !p.ok || !now.After(p.at) {
		return -1
	}
	b, err := os.ReadFile(cpuPressureFile)
	if err != nil {
		return -1
	}
	s, ok := cpuStall(b)
	if !ok || s < p.stall {
		return -1
	}
	return min(1, float64(s-p.stall)/float64(now.Sub(p.at)))
}

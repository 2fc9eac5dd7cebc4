package loadgen

// CPUStall exposes cpuStall to the external tests.
var CPUStall = cpuStall

pragma circom 2.1.0;

// Squares(N): N chained squarings of a private input, out = x^(2^N) mod p.
// Each squaring is one quadratic constraint, so the circuit has N + 1
// constraints (the extra one proves x != 0) and proving cost grows
// linearly with N: the family Provident's predictor learns cost models on.
template Squares(N) {
    signal input x;
    signal output out;

    // x must be non-zero (otherwise the chain is trivially 0): knowing an
    // inverse of x is the proof. An input of 0 fails this assertion while
    // computing the witness, which is how the tests exercise invalid input.
    signal inverse;
    inverse <-- x != 0 ? 1 / x : 0;
    inverse * x === 1;

    signal chain[N + 1];
    chain[0] <== x;
    for (var i = 0; i < N; i++) {
        chain[i + 1] <== chain[i] * chain[i];
    }
    out <== chain[N];
}

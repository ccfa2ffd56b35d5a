package llm.rlhf;

import llm.tensor.NDArray;

/**
 * A minibatch of a PPO rollout (Book §8.5): its sequences, and for each response token {@code (N)} what the rollout
 * recorded (the sampling policy's log-probability and value) and computed (advantage and return).
 */
public record PpoMinibatch(SequenceBatch sequences, NDArray oldLogprobs, NDArray oldValues, NDArray advantages, NDArray returns) {}
